"""One month at the front door: contacts, then for each referral its whole journey.

Contacts are decided (most within a working day); about 45% become referrals dated on the
decision. A referral is closed without action, or assessed; an assessment may lead to a strategy
discussion, S47 enquiry, ICPC and CP plan, to a CIN plan, or to care. The referral closes after
the last of those services ends, which is when its child may be re-referred.
"""

from __future__ import annotations

import numpy as np

from . import looked_after, protection
from . import profiles as base
from .calendar import is_workday, workdays_after
from .context import Simulation
from .draws import (LONG_AGO, NEVER, add_months, age_years, ages_from_weights, birthday, categorical, choose_rows,
                    days, dob_from_age, lognormal_int, random_days)

SOURCES = {"6": 29, "2A": 20, "2B": 1, "3A": 3, "3B": 2, "3C": 1, "3D": 2, "3E": 3, "3F": 3, "5A": 3,
           "5B": 4, "5C": 3, "5D": 2, "1A": 3, "1B": 1, "1C": 2, "1D": 1, "4": 2, "7": 3, "8": 4, "9": 3, "10": 5}
NON_REFERRAL_OUTCOMES = {"INFO_ADVICE": 35, "NFA": 33, "EARLY_HELP": 22, "OTHER": 10}
PRIMARY_NEED = {"N1": 55, "N2": 3, "N3": 3, "N4": 8, "N5": 15, "N6": 3, "N7": 0.5, "N8": 3.5, "N9": 5, "N0": 4}
# children referred, by age (England: <1 8%, 1-4 20%, 5-9 26%, 10-15 35%, 16-17 11%)
REFERRAL_AGE_WEIGHTS = [8] + [5] * 4 + [5.2] * 5 + [35 / 6] * 6 + [5.5, 5.5]
# how much likelier than average an assessed child of each age group (unborn, <1, 1-4, 5-9, 10-15,
# 16-17) is to come into care, so entrants match England's age mix rather than the referrals'
CARE_AGE_WEIGHT = np.array([3.2, 2.0, 0.55, 0.55, 1.06, 2.8])
CARE_AGE_GROUPS = [0, 1, 5, 10, 16]
# a child first known before birth: share of new children, and how far ahead of the birth
P_UNBORN = {"referral": 0.05, "other": 0.01}
UNBORN_DAYS_BEFORE_DUE = (20, 190)
P_ICPC_BEFORE_S47 = 0.005   # S47 start recorded after the conference (a warning, not an error)
# Jan..Dec: fewer contacts in the school holidays
SEASON = np.array([1.03, 1.05, 1.08, 0.97, 1.03, 1.03, 1.02, 0.80, 0.98, 1.08, 1.07, 0.86])
S47_AUTHORISATION_WD = 8     # working days from an enquiry's work ending to its authorisation, uniform from 0
P_SAME_DAY = 0.9            # of contacts decided within a working day: the same day, else the next
P_OUT_OF_HOURS_SCREENED = 0.75   # weekend and bank-holiday contacts the duty team decides that day
P_KNOWN_CHILD = 0.25        # non-referral contacts about a child contacted in the last year
P_RETURNING = 0.08          # referrals of a child known before, last referred over a year ago

# assessment routes: probabilities among assessed referrals (strategy and care set per LA/child)
S47_OTHER_OUTCOMES = {"NFA": 88, "OTHER": 9, "LEGAL": 3}    # enquiries neither conferenced nor stepped down

ROUTES = ["strategy", "care", "cin", "early_help", "other", "nfa"]
ROUTE_SHARES = {"cin": 0.16, "early_help": 0.13, "other": 0.04}
ROUTE_OUTCOME = np.array(["STRATEGY", "OTHER", "CIN_PLAN", "EARLY_HELP", "OTHER", "NFA"], dtype=object)
ROUTE_CLOSURE = np.array(["RC8", "RC7", "RC7", "RC9", "RC7", "RC8"], dtype=object)


def simulate_month(sim: Simulation, first: np.datetime64, last: np.datetime64) -> None:
    """Contacts received from `first` to `last` (inclusive) and everything that follows from them."""
    rng, prof = sim.rng, sim.profile
    month = int(first.astype("datetime64[M]").astype(np.int64) % 12)
    span_days = int((last - first).astype(np.int64)) + 1
    n = rng.poisson(base.CONTACTS_PER_10K * prof.contacts * sim.per_year * span_days / 365.25 * SEASON[month])

    day = np.sort(random_days(rng, first, last, n, weekend_weight=0.3))
    weekday = is_workday(day)
    secs = np.where(weekday, np.clip(rng.normal(12.75, 2.6, n), 8, 18.5) * 3600,
                    rng.uniform(0, 86_340, n)).astype(np.int64)
    order = np.lexsort((secs, day))
    day, secs = day[order], secs[order]
    source = categorical(rng, n, SOURCES)
    referral = rng.random(n) < base.P_CONTACT_TO_REFERRAL * prof.referral_conversion
    outcome = np.where(referral, "REFERRAL", categorical(rng, n, NON_REFERRAL_OUTCOMES)).astype(object)

    # most contacts are screened within 24 hours (SSC): the same working day, or the next; the
    # emergency duty team screens most out-of-hours contacts the day they arrive
    p_late = min(0.9, base.P_DECIDED_LATE * prof.decision_delay)
    u = rng.random(n)
    lag = np.where(u < (1 - p_late) * P_SAME_DAY, 0, np.where(u < 1 - p_late, 1, 1 + rng.geometric(0.35, n)))
    decided = workdays_after(day, lag)
    soon, office_hours = rng.integers(600, 4 * 3600, n), rng.integers(8 * 3600 + 1800, 18 * 3600, n)
    out_of_hours = ~weekday & (lag == 0) & (sim.practice_rng.random(n) < P_OUT_OF_HOURS_SCREENED)
    decision_day = np.where(out_of_hours, day, decided)
    decision_secs = np.where(decision_day == day, np.minimum(secs + soon, 86_399), office_hours)

    child = _contact_children(sim, first, day, referral)
    keys = sim.new_keys("contact", n)
    np.maximum.at(sim.children.last_contact, child, day)
    sim.collect("contacts", key=keys, child=child,
                contact_datetime=day.astype("datetime64[s]") + secs.astype("timedelta64[s]"),
                contact_source=source,
                decision_datetime=decision_day.astype("datetime64[s]") + decision_secs.astype("timedelta64[s]"),
                outcome=outcome)

    referred = referral & (decided <= sim.extract)
    _referrals(sim, child[referred], decided[referred], source[referred], keys[referred])


def _contact_children(sim: Simulation, first: np.datetime64, day: np.ndarray, referral: np.ndarray) -> np.ndarray:
    """Who each contact is about: re-referrals reuse children whose last referral (within 12
    months) has closed, some referrals children whose services ended in the last two years, some
    other contacts recently contacted children; the rest are new."""
    rng, kids, prof = sim.rng, sim.children, sim.profile
    child = np.full(len(day), -1, dtype=np.int64)
    young = kids.dob > add_months(np.array([first]), -17 * 12)[0]      # under 17 (one comparison, not an age)
    year_ago = add_months(np.array([first]), -12)[0]

    referral_at = np.flatnonzero(referral)
    wanted = referral_at[rng.random(len(referral_at)) < base.P_REREFERRAL * prof.rereferral]
    pool = np.flatnonzero((kids.last_referral >= year_ago) & (kids.busy_until < first) & young)
    take = min(len(wanted), len(pool))
    if take:
        child[wanted[:take]] = rng.choice(pool, size=take, replace=False)

    # others come back later, within two years of their services ending (children who had a CP
    # plan more often): the repeat plans of CPP_REPEAT_2Y
    rest = referral_at[child[referral_at] < 0]
    back = rest[rng.random(len(rest)) < P_RETURNING]
    two_years_ago = add_months(np.array([first]), -24)[0]
    pool = np.flatnonzero((kids.last_referral < year_ago) & (kids.last_referral > LONG_AGO)
                          & (kids.busy_until < first) & (kids.busy_until >= two_years_ago) & young)
    take = min(len(back), len(pool))
    if take:
        weight = np.where(kids.cp_plans[pool] > 0, 3.0, 1.0)
        child[back[:take]] = rng.choice(pool, size=take, replace=False, p=weight / weight.sum())

    other_at = np.flatnonzero(~referral)
    known = other_at[rng.random(len(other_at)) < P_KNOWN_CHILD]
    pool = np.flatnonzero((kids.last_contact >= year_ago) & young)
    if len(pool) and len(known):
        child[known] = rng.choice(pool, size=len(known))

    new = np.flatnonzero(child < 0)
    dob = dob_from_age(day[new], ages_from_weights(rng, len(new), REFERRAL_AGE_WEIGHTS))
    unborn = rng.random(len(new)) < np.where(referral[new], P_UNBORN["referral"], P_UNBORN["other"])
    due = day[new] + days(rng.integers(*UNBORN_DAYS_BEFORE_DUE, len(new)))
    dob[unborn] = (due + days(np.clip(np.round(rng.normal(-4, 9, len(new))), -35, 14)))[unborn]
    child[new] = kids.add(rng, dob, busy_until=LONG_AGO,
                          expected_dob=np.where(unborn, due, np.datetime64("NaT")))
    return child


def _referrals(sim: Simulation, child: np.ndarray, referral_date: np.ndarray, source: np.ndarray,
               contact: np.ndarray) -> None:
    rng, kids, n = sim.rng, sim.children, len(child)
    keys = sim.new_keys("referral", n)
    u = rng.random(n)
    nfa = u < base.P_REFERRAL_NFA
    unassessed = ~nfa & (u < base.P_REFERRAL_NFA + base.P_REFERRAL_UNASSESSED)
    assessed = ~(nfa | unassessed)

    closure = np.full(n, NEVER)
    reason = np.full(n, None, dtype=object)
    closure[nfa] = workdays_after(referral_date[nfa], rng.integers(0, 4, int(nfa.sum())))
    reason[nfa] = "RC8"
    closure[unassessed] = workdays_after(referral_date[unassessed], rng.integers(3, 21, int(unassessed.sum())))
    reason[unassessed] = "RC7"
    a = np.flatnonzero(assessed)
    service_end, reason[a] = _assessments(sim, child[a], referral_date[a], keys[a])
    closure[a] = workdays_after(service_end, rng.integers(0, 8, len(a)))

    sim.collect("referrals", key=keys, child=child, referral_date=referral_date, referral_source=source,
                contact=contact, primary_need=categorical(rng, n, PRIMARY_NEED),
                referral_nfa=np.where(nfa, "Y", "N").astype(object), closure_date=closure, closure_reason=reason)
    np.maximum.at(kids.last_referral, child, referral_date)
    np.maximum.at(kids.busy_until, child, closure)


def _assessments(sim: Simulation, child: np.ndarray, referral_date: np.ndarray,
                 referral: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assess referred children and route them on; returns when their services end, and the
    CIN closure reason."""
    rng, prof, n = sim.rng, sim.profile, len(child)
    dob = sim.children.dob[child]
    start = workdays_after(referral_date, np.where(rng.random(n) < 0.45, 0, rng.integers(1, 6, n)))
    seen = workdays_after(start, np.where(rng.random(n) < 0.86, rng.integers(0, 6, n), rng.integers(6, 21, n)))
    authorised = workdays_after(start, lognormal_int(rng, base.ASSESSMENT_MEDIAN_WD * prof.assessment_delay, 0.45, n))
    seen = np.where(seen > authorised, start, seen)
    seen[rng.random(n) < 0.03] = NEVER                 # seen date not recorded

    age = age_years(dob, start)                        # negative before birth
    months_to_18 = (birthday(dob, 18) - start).astype(np.int64) / 30.4
    p_care = base.P_CARE_DIRECT * prof.cla_entries * CARE_AGE_WEIGHT[np.digitize(age, CARE_AGE_GROUPS)] * (months_to_18 > 3)
    probs = np.column_stack([np.full(n, base.P_STRATEGY * prof.strategy), p_care]
                            + [np.full(n, ROUTE_SHARES[r]) for r in ROUTES[2:5]])
    probs = np.column_stack([probs, np.clip(1 - probs.sum(axis=1), 0, None)])
    route = choose_rows(rng, probs / probs.sum(axis=1, keepdims=True))
    outcome = ROUTE_OUTCOME[route]
    reason = ROUTE_CLOSURE[route]
    service_end = authorised.copy()

    s = route == 0
    end, reason[s], plan_start = _child_protection(sim, child[s], start[s], referral[s])
    service_end[s] = np.maximum(authorised[s], end)
    outcome[np.flatnonzero(s)[plan_start <= authorised[s]]] = "CP_PLAN"

    c = route == 1
    uasc = (age[c] >= 14) & (rng.random(int(c.sum())) < looked_after.P_UASC)
    # an unborn child comes into care at birth, as they leave hospital
    entry = np.maximum(start[c] + days(rng.integers(0, 15, int(c.sum()))), dob[c] + days(rng.integers(0, 6, int(c.sum()))))
    end, ended = looked_after.start_periods(sim, child[c], entry, uasc)
    service_end[c] = np.maximum(authorised[c], end)
    reason[c] = looked_after.closure_reason_for(ended)

    p = route == 2
    service_end[p] = protection.start_cin_plans(sim, child[p], authorised[p] + days(rng.integers(0, 11, int(p.sum()))))

    sim.collect("assessments", key=sim.new_keys("assessment", n), child=child, referral=referral,
                start_date=start, child_seen_date=seen, authorisation_date=authorised, outcome=outcome)
    return service_end, reason


def _child_protection(sim: Simulation, child: np.ndarray, assessment_start: np.ndarray,
                      referral: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strategy discussion, S47 enquiry, ICPC and plan; returns (services end, closure reason,
    plan start or NEVER)."""
    rng, prof, n = sim.rng, sim.profile, len(child)
    dob = sim.children.dob[child]
    strategy_keys = sim.new_keys("strategy", n)
    discussed = workdays_after(assessment_start, rng.integers(0, 4, n))
    agreed = rng.random(n) < base.P_S47_AGREED
    sim.collect("strategy_discussions", key=strategy_keys, child=child, referral=referral,
                discussion_date=discussed, s47_agreed=np.where(agreed, "Y", "N").astype(object))

    service_end = discussed.copy()
    reason = np.full(n, "RC8", dtype=object)
    plan_start = np.full(n, NEVER)
    cin = ~agreed & (rng.random(n) < 0.3)
    service_end[cin] = protection.start_cin_plans(sim, child[cin], workdays_after(discussed[cin], rng.integers(1, 10, int(cin.sum()))))
    reason[cin] = "RC7"

    s = np.flatnonzero(agreed)
    k = len(s)
    kid = child[s]
    started = workdays_after(discussed[s], np.where(rng.random(k) < 0.8, 0, 1))
    icpc_due = workdays_after(started, lognormal_int(rng, base.ICPC_MEDIAN_WD * prof.icpc_delay, 0.35, k))
    conference = (rng.random(k) < base.P_ICPC * prof.icpc) & (age_years(dob[s], icpc_due) < 17)
    icpc = np.where(conference, icpc_due, NEVER)
    ended = workdays_after(started, rng.integers(5, 21, k))
    ended = np.where(conference, np.minimum(ended, icpc), ended)
    plan = conference & (rng.random(k) < base.P_ICPC_TO_PLAN)
    # a few S47 starts are keyed in after the conference: the gate warns, timeliness excludes them
    late_record = conference & (rng.random(k) < P_ICPC_BEFORE_S47)
    recorded_start = np.where(late_record, workdays_after(icpc, rng.integers(1, 6, k)), started)
    s47_keys = sim.new_keys("s47", k)
    not_required = np.where(~conference & (rng.random(k) < 0.03), "Y", "N").astype(object)
    s_end = ended.copy()
    s_reason = np.full(k, "RC8", dtype=object)
    p = np.flatnonzero(plan)
    end, ended_care = protection.start_cp_plans(sim, kid[p], icpc[p])
    s_end[p] = end
    s_reason[p] = np.where(ended_care == "", "RC7", looked_after.closure_reason_for(ended_care))
    step_down = (conference & ~plan & (rng.random(k) < 0.7)) | (~conference & (rng.random(k) < 0.3))
    s_end[step_down] = protection.start_cin_plans(sim, kid[step_down], np.where(conference, icpc, ended)[step_down])
    s_reason[step_down] = "RC7"

    # the record is completed and authorised some days after the enquiry's work ends (the journey
    # goes on from the work): about 60% within 15 working days (SSC "61% of S47s were completed in
    # time"); one reaching conference by then
    authorised = workdays_after(ended, sim.practice_rng.integers(0, S47_AUTHORISATION_WD + 1, k))
    authorised = np.where(conference, np.minimum(authorised, icpc), authorised)
    sim.collect("s47_enquiries", key=s47_keys, child=kid, strategy=strategy_keys[s],
                referral=referral[s], start_date=recorded_start, end_date=np.maximum(authorised, recorded_start),
                icpc_not_required=not_required, icpc_date=icpc,
                icpc_outcome_cp_plan=np.where(plan, "Y", "N").astype(object),
                step_down=step_down & ~conference)   # for the outcome code, drawn with the tables

    service_end[s] = s_end
    reason[s] = s_reason
    plan_start[s[p]] = icpc[p]
    return service_end, reason, plan_start


def strategy_dates(sim: Simulation, discussed: np.ndarray, floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(initiated_date, completed_date; NEVER if not yet) of strategy discussions held on `discussed`:
    most recorded the day they are held; the record mostly completed the same or the next working
    day, some much later (SSC: "reviewing the minutes and completing the forms ... often outside
    of timescale"). Nothing is recorded before the child's birth `floor`."""
    rng, n = sim.practice_rng, len(discussed)
    initiated = np.where(rng.random(n) < 0.75, discussed, workdays_after(discussed, -rng.integers(1, 3, n)))
    initiated = np.minimum(np.maximum(initiated, floor), discussed)
    u = rng.random(n)
    lag = np.where(u < 0.55, 0, np.where(u < 0.8, 1, rng.integers(2, 16, n)))
    return initiated, workdays_after(discussed, lag)


def s47_outcomes(sim: Simulation, conference: np.ndarray, step_down: np.ndarray) -> np.ndarray:
    """The outcome code of each enquiry (practice.md): ICPC if a conference was convened, CIN if the
    child stepped down to a CIN plan, else mostly NFA (about 36% of all), some OTHER or LEGAL."""
    rng, n = sim.practice_rng, len(conference)
    rest = categorical(rng, n, S47_OTHER_OUTCOMES)
    return np.where(conference, "ICPC", np.where(step_down, "CIN", rest)).astype(object)

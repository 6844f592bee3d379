"""Child protection and child-in-need plans: drawn as specs with whole timelines, reviews at the end.

A CP plan ends when it is no longer needed, at the 18th birthday, or because the child becomes
looked after (a period of care starts on the plan's end date) or steps down to a CIN plan.
"""

from __future__ import annotations

import numpy as np

from . import looked_after
from . import profiles as base
from .calendar import on_or_after_workday, on_or_before_workday
from .context import Simulation, concat
from .draws import (add_months, age_years, ages_from_weights, birthday, categorical, days, dob_from_age,
                    lognormal_int, uniform_between)

CATEGORIES = {"NEG": 48, "EMO": 36, "PHY": 7, "SAB": 4, "MUL": 5}
PREVIOUS_PLANS = np.array([0.80, 0.15, 0.04, 0.01])   # plans before the records (CIN census share ~23% repeat)
# children starting plans, by age: young children dominate
CP_AGE_WEIGHTS = [11, 7, 7, 7, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 4, 2, 1]
CIN_AGE_WEIGHTS = [6, 5, 5, 5, 5, 5.5, 5.5, 5.5, 5.5, 5.5, 6, 6, 6, 6, 6, 6, 5, 4]
CIN_MEDIAN_DAYS = 160
P_CIN_REVIEW_LATE = 0.12


def expected_plan_starts(sim: Simulation) -> float:
    """CP plans a year per 10,000 the front door produces: the stock is seeded at the same rate."""
    p = sim.profile
    return (base.CONTACTS_PER_10K * p.contacts * base.P_CONTACT_TO_REFERRAL * p.referral_conversion
            * (1 - base.P_REFERRAL_NFA - base.P_REFERRAL_UNASSESSED) * base.P_STRATEGY * p.strategy
            * base.P_S47_AGREED * base.P_ICPC * p.icpc * base.P_ICPC_TO_PLAN)


def plan_end(sim: Simulation, start: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Plans last mostly 3-18 months (median ~7.5), a few over 2 years; none past the 18th birthday."""
    n = len(start)
    length = lognormal_int(sim.rng, base.CP_PLAN_MEDIAN_DAYS * sim.profile.cp_duration, 0.65, n, minimum=14)
    end = on_or_after_workday(start + days(length))
    return np.maximum(np.minimum(end, birthday(dob, 18)), start)


def start_cp_plans(sim: Simulation, child: np.ndarray, start: np.ndarray,
                   end: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Plans for known children; returns when the last service following each plan ends, and the
    end reason of any period of care that followed ('' if none)."""
    rng, kids, n = sim.rng, sim.children, len(child)
    dob = kids.dob[child]
    end = plan_end(sim, start, dob) if end is None else end
    u = rng.random(n)
    young = age_years(dob, end) < 17
    p_care = base.P_CP_TO_CARE * sim.profile.cla_entries
    to_care = young & (u < p_care)
    to_cin = young & (u >= p_care) & (u < p_care + base.P_CP_TO_CIN)
    # a baby on a pre-birth plan comes into care at birth at the earliest; the plan ends that day
    end = np.where(to_care, np.maximum(end, dob + days(rng.integers(0, 6, n))), end)
    initial = categorical(rng, n, CATEGORIES)
    latest = np.where(rng.random(n) < 0.12, categorical(rng, n, CATEGORIES), initial)
    previous = np.maximum(rng.choice(len(PREVIOUS_PLANS), size=n, p=PREVIOUS_PLANS), kids.cp_plans[child])
    np.add.at(kids.cp_plans, child, 1)
    sim.cp.append({"key": sim.new_keys("cp_plan", n), "child": child, "start": start, "end": end,
                   "initial_category": initial, "latest_category": latest, "previous_plans": previous})

    service_end = end.copy()
    reason = np.full(n, "", dtype=object)
    if to_care.any():
        service_end[to_care], reason[to_care] = looked_after.start_periods(sim, child[to_care], end[to_care])
    if to_cin.any():
        service_end[to_cin] = start_cin_plans(sim, child[to_cin], end[to_cin])
    return service_end, reason


def start_cin_plans(sim: Simulation, child: np.ndarray, start: np.ndarray,
                    end: np.ndarray | None = None) -> np.ndarray:
    """CIN plans for known children; returns their end dates."""
    n = len(child)
    if end is None:
        length = lognormal_int(sim.rng, CIN_MEDIAN_DAYS, 0.7, n, minimum=14)
        end = np.maximum(np.minimum(start + days(length), birthday(sim.children.dob[child], 18)), start)
    sim.cin.append({"key": sim.new_keys("cin_plan", n), "child": child, "start": start, "end": end})
    return end


def _seed_open_at_start(sim: Simulation, per_10k: float, years: int, age_weights: list[float],
                        ends) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts over `years` before the simulation, kept if still open when it starts: (dob, start, end)."""
    rng = sim.rng
    n = rng.poisson(per_10k * sim.per_year * years)
    first = sim.start - days(round(years * 365.25))
    start = on_or_before_workday(uniform_between(rng, np.full(n, first), np.full(n, sim.start)))
    dob = dob_from_age(start, ages_from_weights(rng, n, age_weights))
    end = ends(start, dob)
    keep = end > sim.start
    return dob[keep], start[keep], end[keep]


def seed_cp_stock(sim: Simulation) -> None:
    """CP plans open when the simulation starts, started at the rate the front door will start them."""
    dob, start, end = _seed_open_at_start(sim, expected_plan_starts(sim), 6, CP_AGE_WEIGHTS,
                                           lambda s, d: plan_end(sim, s, d))
    start_cp_plans(sim, sim.children.add(sim.rng, dob), start, end)


def seed_cin_stock(sim: Simulation, per_10k: float = 140) -> None:
    """CIN plans open when the simulation starts; 140 a year per 10,000 is about what the front door starts."""

    def ends(start, dob):
        length = lognormal_int(sim.rng, CIN_MEDIAN_DAYS, 0.7, len(start), minimum=14)
        return np.maximum(np.minimum(start + days(length), birthday(dob, 18)), start)

    dob, start, end = _seed_open_at_start(sim, per_10k, 4, CIN_AGE_WEIGHTS, ends)
    start_cin_plans(sim, sim.children.add(sim.rng, dob), start, end)


def cp_reviews(sim: Simulation, plans: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Review conferences: the first due 3 months after the plan starts, then 6 months after the
    previous review."""
    return _reviews(sim, sim.rng, plans, 3, 6, base.P_REVIEW_LATE * sim.profile.review_lateness)


def cin_reviews(sim: Simulation, plans: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """CIN plan reviews every 3 months (practice.md's cin_first_review_months and
    cin_review_interval_months); late more often than CP reviews."""
    return _reviews(sim, sim.practice_rng, plans, 3, 3, P_CIN_REVIEW_LATE * sim.profile.review_lateness)


def _reviews(sim: Simulation, rng: np.random.Generator, plans: dict[str, np.ndarray], first_months: int,
             every_months: int, late_share: float) -> dict[str, np.ndarray]:
    """Reviews due `first_months` after the plan starts, then `every_months` after the previous one;
    most held a few days early, some late. Only while the plan is open."""
    key, child, end = plans["key"], plans["child"], plans["end"]
    due = add_months(plans["start"], first_months)
    out = []
    while len(key):
        n = len(key)
        late = rng.random(n) < late_share
        held = np.where(late, on_or_after_workday(due + days(rng.integers(1, 26, n))),
                        on_or_before_workday(due - days(rng.integers(0, 15, n))))
        keep = (held < end) & (held <= sim.extract)
        out.append({"plan": key[keep], "child": child[keep], "review_date": held[keep]})
        key, child, end, due = key[keep], child[keep], end[keep], add_months(held[keep], every_months)
    return concat(out)

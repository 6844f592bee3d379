"""One LA's extract: seed the open cases, run the front door month by month, build the tables.

The simulation starts BURN_IN_MONTHS before the history the extract covers (the window), so that
the first month of that history already looks like a going concern (children with earlier
referrals, plans and periods of care part-way through). The extract then holds what a case
system's extract would: the front door (contacts, referrals, assessments, strategy discussions,
S47s) from FRONT_DOOR_LOOKBACK_MONTHS before the window, which re-referrals look back on; CIN
plans and whole periods of care that reach into the window; CP plans that reach into the
CP_PLAN_LOOKBACK_MONTHS before it (repeat plans within 2 years); visits within the window. Then
practice.md's additions, drawn from a random stream of their own after the journeys: early help
episodes, CIN plan reviews, the workforce and its monthly snapshots, who holds each case
(allocations) and the supervision recorded on it. Last, care.md's additions from a third stream:
CLA reviews, health and OC2, missing episodes, deprivation of liberty, adoption decisions, legal
proceedings and private fostering; short-break agreements join the periods of care before the
tables are built.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import (adolescents, care, casework, early_help, front_door, looked_after, permanence, private_fostering,
               protection, short_breaks, workforce)
from . import profiles as base
from .context import Simulation, concat
from .draws import NEVER, add_months, null_after
from .scales import SyntheticLA
from .visits import all_visits

BURN_IN_MONTHS = 36      # longer than the longest lookback (CP plans, 24 months) plus a ramp-up
# indicators.md: re-referral looks back 12 months; a repeat plan within 2 years looks back 24
FRONT_DOOR_LOOKBACK_MONTHS = 12
CP_PLAN_LOOKBACK_MONTHS = 24
ID_PREFIX = {"contact": "CT", "referral": "RF", "assessment": "AS", "strategy": "SD", "s47": "SE",
             "cin_plan": "CN", "cp_plan": "CP", "episode": "EP", "eh_episode": "EH", "allocation": "AL",
             "supervision": "SU", "missing": "MS", "adoption": "AD", "legal": "LG", "pf": "PF", "dol": "DL"}
# allocations reach back 13 months before the window (ALL_STABLE_12M looks back 12 months from its
# first month end); supervisions 12 (the oldest supervision band is over 6 months)
ALLOCATION_LOOKBACK_MONTHS = 13
SUPERVISION_LOOKBACK_MONTHS = 12


def simulate_la(la: SyntheticLA, months: int, extract_date: date, rng: np.random.Generator,
                practice_rng: np.random.Generator, care_rng: np.random.Generator) -> dict[str, dict]:
    """Entity name -> {column: array} in the native contract's columns (IDs as strings, nulls as
    None/NaT), for `months` months of history ending on extract_date."""
    extract = np.datetime64(extract_date, "D")
    window = window_start(extract_date, months)
    sim = Simulation(rng=rng, practice_rng=practice_rng, care_rng=care_rng, profile=la.profile, extract=extract, window_start=window,
                     start=add_months(np.array([window]), -BURN_IN_MONTHS)[0], population=la.population)
    looked_after.seed_stock(sim)
    protection.seed_cp_stock(sim)
    protection.seed_cin_stock(sim)
    for month_first, month_last in _months(sim.start, extract):
        front_door.simulate_month(sim, month_first, month_last)
    short_breaks.start_agreements(sim)         # children the front door never sees
    return _tables(sim)


def window_start(extract_date: date, months: int) -> np.datetime64:
    """First day of the history: `months` calendar months before the day after the extract date."""
    return add_months(np.array([np.datetime64(extract_date, "D") + 1]), -months)[0]


def _months(first: np.datetime64, last: np.datetime64):
    """(first day, last day) of each calendar month (or part of one) from first to last."""
    starts = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1).astype("datetime64[D]")
    starts[0] = first
    ends = np.append(starts[1:] - 1, last)
    return list(zip(starts, ends))


def _ids(kind: str, keys: np.ndarray) -> np.ndarray:
    """Integer keys -> IDs such as RF0000123; -1 -> None."""
    keys = np.asarray(keys)
    text = pc.binary_join_element_wise(ID_PREFIX[kind], _zero_padded(keys + 1), "")
    return pc.if_else(pa.array(keys < 0), pa.scalar(None, pa.string()), text).to_numpy(zero_copy_only=False)


def _child_ids(index: np.ndarray) -> np.ndarray:
    """Case-system person IDs: zero-padded numbers (IDs are strings; the leading zeros matter)."""
    return _zero_padded(np.asarray(index) + 1).to_numpy(zero_copy_only=False)


def _zero_padded(numbers: np.ndarray) -> pa.Array:
    return pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), 7, "0")


def _in_extract(table: dict[str, np.ndarray], start: str, end: np.ndarray, since: np.datetime64,
                extract: np.datetime64) -> dict[str, np.ndarray]:
    """Rows begun by the extract date whose span (to `end`; NEVER while open) reaches `since`."""
    keep = (table[start] <= extract) & (end >= since)
    return {k: v[keep] for k, v in table.items()}


def _front_door(sim: Simulation, entity: str, date: str) -> dict[str, np.ndarray]:
    """The entity's rows dated from the front-door lookback to the extract date."""
    table = concat(sim.rows[entity])
    since = add_months(np.array([sim.window_start]), -FRONT_DOOR_LOOKBACK_MONTHS)[0]
    return _in_extract(table, date, table[date].astype("datetime64[D]"), since, sim.extract)


def _tables(sim: Simulation) -> dict[str, dict]:
    extract, window = sim.extract, sim.window_start
    t: dict[str, dict] = {}

    c = _front_door(sim, "contacts", "contact_datetime")
    undecided = c["decision_datetime"].astype("datetime64[D]") > extract
    c["decision_datetime"] = null_after(c["decision_datetime"], extract)
    c["outcome"][undecided] = None
    t["contacts"] = {"contact_id": _ids("contact", c["key"]), "child_id": c["child"],
                     "contact_datetime": c["contact_datetime"], "contact_source": c["contact_source"],
                     "decision_datetime": c["decision_datetime"], "outcome": c["outcome"]}

    r = _front_door(sim, "referrals", "referral_date")
    r["closure_reason"][r["closure_date"] > extract] = None
    t["referrals"] = {"referral_id": _ids("referral", r["key"]), "child_id": r["child"],
                      "referral_date": r["referral_date"], "referral_source": r["referral_source"],
                      "contact_id": _ids("contact", r["contact"]), "primary_need": r["primary_need"],
                      "referral_nfa": r["referral_nfa"], "closure_date": null_after(r["closure_date"], extract),
                      "closure_reason": r["closure_reason"]}

    a = _front_door(sim, "assessments", "start_date")
    a["outcome"][a["authorisation_date"] > extract] = None
    t["assessments"] = {"assessment_id": _ids("assessment", a["key"]), "child_id": a["child"],
                        "referral_id": _ids("referral", a["referral"]), "start_date": a["start_date"],
                        "child_seen_date": null_after(a["child_seen_date"], extract),
                        "authorisation_date": null_after(a["authorisation_date"], extract), "outcome": a["outcome"]}

    s = _front_door(sim, "strategy_discussions", "discussion_date")
    t["strategy_discussions"] = {"strategy_id": _ids("strategy", s["key"]), "child_id": s["child"],
                                 "referral_id": _ids("referral", s["referral"]),
                                 "discussion_date": s["discussion_date"], "s47_agreed": s["s47_agreed"]}

    e = _front_door(sim, "s47_enquiries", "start_date")
    e["icpc_not_required"][e["end_date"] > extract] = None
    e["icpc_outcome_cp_plan"][e["icpc_date"] > extract] = None
    t["s47_enquiries"] = {"s47_id": _ids("s47", e["key"]), "child_id": e["child"],
                          "strategy_id": _ids("strategy", e["strategy"]), "referral_id": _ids("referral", e["referral"]),
                          "start_date": e["start_date"], "end_date": null_after(e["end_date"], extract),
                          "icpc_not_required": e["icpc_not_required"], "icpc_date": null_after(e["icpc_date"], extract),
                          "icpc_outcome_cp_plan": e["icpc_outcome_cp_plan"]}

    cin = concat(sim.cin)
    cin = _in_extract(cin, "start", cin["end"], window, extract)
    t["cin_plans"] = {"cin_plan_id": _ids("cin_plan", cin["key"]), "child_id": cin["child"],
                      "start_date": cin["start"], "end_date": null_after(cin["end"], extract)}

    cp = concat(sim.cp)
    cp = _in_extract(cp, "start", cp["end"], add_months(np.array([window]), -CP_PLAN_LOOKBACK_MONTHS)[0], extract)
    t["cp_plans"] = {"cp_plan_id": _ids("cp_plan", cp["key"]), "child_id": cp["child"], "start_date": cp["start"],
                     "end_date": null_after(cp["end"], extract), "initial_category": cp["initial_category"],
                     "latest_category": cp["latest_category"], "previous_plans": cp["previous_plans"]}
    rv = protection.cp_reviews(sim, cp)               # every review of the plans in the extract
    t["cp_reviews"] = {"cp_plan_id": _ids("cp_plan", rv["plan"]), "child_id": rv["child"],
                       "review_date": rv["review_date"]}

    ep = looked_after.episodes(sim)
    t["cla_episodes"] = {"episode_id": _ids("episode", ep.pop("key")), "child_id": ep.pop("child"), **ep}

    periods = looked_after.periods_in_extract(sim, short_breaks=False)
    lo, hi = base.CP_VISIT_GAP_WD
    gap = (round(lo * sim.profile.visit_gap), round(hi * sim.profile.visit_gap))
    v = all_visits(sim, cp, cin, periods, gap)
    order = np.lexsort((v["visit_date"], v["child"]))
    t["visits"] = {"child_id": v["child"][order], "visit_date": v["visit_date"][order],
                   "visit_type": v["visit_type"][order], "seen_alone": v["seen_alone"][order]}

    cl = looked_after.care_leavers(sim)
    t["care_leavers"] = {"child_id": cl["child"], "contact_date": cl["contact_date"], "in_touch": cl["in_touch"],
                         "activity": cl["activity"], "accommodation": cl["accommodation"]}

    _practice_tables(sim, t, cin, e)
    _care_tables(sim, t, periods, cp, cin)

    known = np.unique(np.concatenate([table["child_id"] for table in t.values() if "child_id" in table]))
    t["children"] = sim.children.table(known, extract)
    for table in t.values():
        if "child_id" in table:
            table["child_id"] = _child_ids(table["child_id"])
    return t


def _practice_tables(sim: Simulation, t: dict[str, dict], cin: dict, s47: dict) -> None:
    """practice.md's additions, drawn after everything else so the other entities do not depend on
    them: strategy and S47 columns, CIN reviews, early help, allocations, supervisions, workforce."""
    extract = sim.extract
    sd = t["strategy_discussions"]
    initiated, completed = front_door.strategy_dates(sim, sd["discussion_date"], sim.children.birth_floor(sd["child_id"]))
    sd["initiated_date"], sd["completed_date"] = initiated, null_after(completed, extract)
    se = t["s47_enquiries"]
    outcome = front_door.s47_outcomes(sim, s47["icpc_date"] < NEVER, s47["step_down"])
    outcome[np.isnat(se["end_date"])] = None
    se["outcome"] = outcome

    rv = protection.cin_reviews(sim, cin)
    t["cin_reviews"] = {"cin_plan_id": _ids("cin_plan", rv["plan"]), "child_id": rv["child"],
                        "review_date": rv["review_date"]}

    eh = early_help.episodes(sim, sim.window_start)
    t["early_help_episodes"] = {"eh_episode_id": _ids("eh_episode", sim.new_keys("eh_episode", len(eh["child"]))),
                                "child_id": eh["child"], "start_date": eh["start_date"],
                                **{c: null_after(eh[c], extract) for c in
                                   ("assessment_completed_date", "plan_start_date", "end_date")},
                                "source": eh["source"]}

    since = casework.horizon(sim, ALLOCATION_LOOKBACK_MONTHS)
    cases = casework.cases(sim, since)
    wf = workforce.build(sim, since, casework.posts_needed(sim, cases))
    al = casework.allocations(sim, cases, since, wf)
    t["allocations"] = {"allocation_id": _ids("allocation", sim.new_keys("allocation", len(al["child"]))),
                        "child_id": al["child"], "team": wf.team_names[al["team"]],
                        "worker_id": workforce.staff_ids(al["worker"]), "worker_role": al["worker_role"],
                        "start_date": al["start"], "end_date": null_after(al["end"], extract)}

    sv = casework.supervisions(sim, cases, casework.horizon(sim, SUPERVISION_LOOKBACK_MONTHS))
    t["supervisions"] = {"supervision_id": _ids("supervision", sim.new_keys("supervision", len(sv["child"]))),
                         "child_id": sv["child"], "supervision_date": sv["supervision_date"], "type": sv["type"]}
    t["workforce_posts"] = workforce.snapshots(sim, wf)


def _care_tables(sim: Simulation, t: dict[str, dict], periods: dict, cp: dict, cin: dict) -> None:
    """care.md's additions, drawn last from a stream of their own: CLA reviews, health and OC2,
    missing episodes, deprivation of liberty, adoption decisions, legal proceedings, private
    fostering (with its visits)."""
    extract = sim.extract
    rv = care.reviews(sim, periods)
    t["cla_reviews"] = {"child_id": rv["child"], "review_date": rv["review_date"], "participation": rv["participation"]}
    h = care.health(sim, periods)
    t["cla_health"] = {"child_id": h["child"], "event_type": h["event_type"], "event_date": h["event_date"]}
    oc2 = care.oc2(sim, periods, h)
    t["cla_oc2"] = {"child_id": oc2.pop("child"), **oc2}

    m = adolescents.missing_episodes(sim, periods, cp, cin)
    t["missing_episodes"] = {"missing_id": _ids("missing", sim.new_keys("missing", len(m["child"]))),
                             "child_id": m.pop("child"), **m}
    d = adolescents.deprivation_of_liberty(sim, periods)
    t["deprivation_of_liberty"] = {"dol_id": _ids("dol", sim.new_keys("dol", len(d["child"]))),
                                   "child_id": d.pop("child"), **d}

    a = permanence.adoption(sim, periods)
    t["adoption"] = {"adoption_id": _ids("adoption", sim.new_keys("adoption", len(a["child"]))),
                     "child_id": a.pop("child"), **a}
    lp = permanence.legal_proceedings(sim, periods, cp)
    t["legal_proceedings"] = {"legal_id": _ids("legal", sim.new_keys("legal", len(lp["child"]))),
                              "child_id": lp["child"], "plo_start_date": lp["plo_start"],
                              "plo_end_date": lp["plo_end"], "plo_outcome": lp["plo_outcome"],
                              "issue_date": lp["issue"], "final_order_date": lp["final"],
                              "final_order": lp["final_order"]}

    pf = private_fostering.arrangements(sim)
    t["private_fostering"] = {"pf_id": _ids("pf", sim.new_keys("pf", len(pf["child"]))), "child_id": pf["child"],
                              "notification_date": pf["notification_date"], "start_date": pf["start_date"],
                              "end_date": null_after(pf["end_date"], extract)}
    visits = concat([{"child": t["visits"]["child_id"], **{k: v for k, v in t["visits"].items() if k != "child_id"}},
                     private_fostering.visits(sim, pf)])
    order = np.lexsort((visits["visit_date"], visits["child"]))
    t["visits"] = {"child_id": visits["child"][order], "visit_date": visits["visit_date"][order],
                   "visit_type": visits["visit_type"][order], "seen_alone": visits["seen_alone"][order]}

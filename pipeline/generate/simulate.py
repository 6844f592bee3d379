"""One LA's extract: seed the open cases, run the front door month by month, build the 12 tables."""

from __future__ import annotations

from datetime import date

import numpy as np

from . import front_door, looked_after, protection
from . import profiles as base
from .context import Simulation, concat
from .draws import add_months, null_after
from .profiles import SyntheticLA
from .visits import all_visits

ID_PREFIX = {"contact": "CT", "referral": "RF", "assessment": "AS", "strategy": "SD", "s47": "SE",
             "cin_plan": "CN", "cp_plan": "CP", "episode": "EP"}


def simulate_la(la: SyntheticLA, months: int, extract_date: date, rng: np.random.Generator) -> dict[str, dict]:
    """Entity name -> {column: array} in the native contract's columns (IDs as strings, nulls as
    None/NaT), for `months` months of history ending on extract_date."""
    extract = np.datetime64(extract_date, "D")
    first = window_start(extract_date, months)
    sim = Simulation(rng=rng, profile=la.profile, extract=extract, window_start=first, population=la.population)
    looked_after.seed_stock(sim)
    protection.seed_cp_stock(sim)
    protection.seed_cin_stock(sim)
    for month_first, month_last in _months(first, extract):
        front_door.simulate_month(sim, month_first, month_last)
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
    ids = np.char.add(ID_PREFIX[kind], np.char.zfill((keys + 1).astype(str), 7)).astype(object)
    ids[keys < 0] = None
    return ids


def _child_ids(index: np.ndarray) -> np.ndarray:
    """Case-system person IDs: zero-padded numbers (IDs are strings; the leading zeros matter)."""
    return np.char.zfill((np.asarray(index) + 1).astype(str), 7).astype(object)


def _started_by(table: dict[str, np.ndarray], column: str, extract: np.datetime64) -> dict[str, np.ndarray]:
    keep = table[column] <= extract
    return {k: v[keep] for k, v in table.items()}


def _tables(sim: Simulation) -> dict[str, dict]:
    extract = sim.extract
    t: dict[str, dict] = {}

    c = concat(sim.rows["contacts"])
    undecided = c["decision_datetime"].astype("datetime64[D]") > extract
    c["decision_datetime"] = null_after(c["decision_datetime"], extract)
    c["outcome"][undecided] = None
    t["contacts"] = {"contact_id": _ids("contact", c["key"]), "child_id": c["child"],
                     "contact_datetime": c["contact_datetime"], "contact_source": c["contact_source"],
                     "decision_datetime": c["decision_datetime"], "outcome": c["outcome"]}

    r = concat(sim.rows["referrals"])
    open_ = r["closure_date"] > extract
    r["closure_reason"][open_] = None
    t["referrals"] = {"referral_id": _ids("referral", r["key"]), "child_id": r["child"],
                      "referral_date": r["referral_date"], "referral_source": r["referral_source"],
                      "contact_id": _ids("contact", r["contact"]), "primary_need": r["primary_need"],
                      "referral_nfa": r["referral_nfa"], "closure_date": null_after(r["closure_date"], extract),
                      "closure_reason": r["closure_reason"]}

    a = _started_by(concat(sim.rows["assessments"]), "start_date", extract)
    a["outcome"][a["authorisation_date"] > extract] = None
    t["assessments"] = {"assessment_id": _ids("assessment", a["key"]), "child_id": a["child"],
                        "referral_id": _ids("referral", a["referral"]), "start_date": a["start_date"],
                        "child_seen_date": null_after(a["child_seen_date"], extract),
                        "authorisation_date": null_after(a["authorisation_date"], extract), "outcome": a["outcome"]}

    s = _started_by(concat(sim.rows["strategy_discussions"]), "discussion_date", extract)
    t["strategy_discussions"] = {"strategy_id": _ids("strategy", s["key"]), "child_id": s["child"],
                                 "referral_id": _ids("referral", s["referral"]),
                                 "discussion_date": s["discussion_date"], "s47_agreed": s["s47_agreed"]}

    e = _started_by(concat(sim.rows["s47_enquiries"]), "start_date", extract)
    e["icpc_not_required"][e["end_date"] > extract] = None
    e["icpc_outcome_cp_plan"][e["icpc_date"] > extract] = None
    t["s47_enquiries"] = {"s47_id": _ids("s47", e["key"]), "child_id": e["child"],
                          "strategy_id": _ids("strategy", e["strategy"]), "referral_id": _ids("referral", e["referral"]),
                          "start_date": e["start_date"], "end_date": null_after(e["end_date"], extract),
                          "icpc_not_required": e["icpc_not_required"], "icpc_date": null_after(e["icpc_date"], extract),
                          "icpc_outcome_cp_plan": e["icpc_outcome_cp_plan"]}

    cin = _started_by(concat(sim.cin), "start", extract)
    t["cin_plans"] = {"cin_plan_id": _ids("cin_plan", cin["key"]), "child_id": cin["child"],
                      "start_date": cin["start"], "end_date": null_after(cin["end"], extract)}

    cp = _started_by(concat(sim.cp), "start", extract)
    t["cp_plans"] = {"cp_plan_id": _ids("cp_plan", cp["key"]), "child_id": cp["child"], "start_date": cp["start"],
                     "end_date": null_after(cp["end"], extract), "initial_category": cp["initial_category"],
                     "latest_category": cp["latest_category"], "previous_plans": cp["previous_plans"]}
    rv = protection.cp_reviews(sim, cp)
    t["cp_reviews"] = {"cp_plan_id": _ids("cp_plan", rv["plan"]), "child_id": rv["child"],
                       "review_date": rv["review_date"]}

    ep = looked_after.episodes(sim)
    t["cla_episodes"] = {"episode_id": _ids("episode", ep.pop("key")), "child_id": ep.pop("child"), **ep}

    periods = concat(sim.cla)
    periods = _started_by({k: v[periods["in_extract"]] for k, v in periods.items()}, "start", extract)
    lo, hi = base.CP_VISIT_GAP_WD
    gap = (round(lo * sim.profile.visit_gap), round(hi * sim.profile.visit_gap))
    v = all_visits(sim, cp, cin, periods, gap)
    order = np.lexsort((v["visit_date"], v["child"]))
    t["visits"] = {"child_id": v["child"][order], "visit_date": v["visit_date"][order],
                   "visit_type": v["visit_type"][order], "seen_alone": v["seen_alone"][order]}

    cl = looked_after.care_leavers(sim)
    t["care_leavers"] = {"child_id": cl["child"], "contact_date": cl["contact_date"], "in_touch": cl["in_touch"],
                         "activity": cl["activity"], "accommodation": cl["accommodation"]}

    t["children"] = sim.children.table(np.arange(len(sim.children)))
    for table in t.values():
        table["child_id"] = _child_ids(table["child_id"])
    return t


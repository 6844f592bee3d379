"""Court and adoption records around the periods of care (care.md B.5, B.6).

legal_proceedings: every period entered through the courts has its care proceedings, issued about
when the interim care order starts and ending at the final hearing (the full care order, with a
placement order on the way to adoption), or earlier if the child leaves care first; many were
preceded by pre-proceedings (PLO). Children on CP plans also enter pre-proceedings, most stepping
down, some going on to proceedings that end in orders other than care.

adoption: a decision that the child should be placed for adoption before each placement order (the
date placed and the adoption order are the period's A3/A4 episode and E11/E12 end), and now and
then a decision about a young child in care proceedings that is later reversed.
"""

from __future__ import annotations

import numpy as np

from .context import Simulation, concat
from .draws import NEVER, age_years, categorical, days, lognormal_int, null_after

P_PLO_BEFORE_ISSUE = 0.45        # of planned care proceedings (not after police protection)
P_CP_PLO = 0.12                  # of CP plans: the child enters pre-proceedings during the plan
PLO_OUTCOMES = {"STEPPED_DOWN": 60, "ISSUED": 35, "OTHER": 5}
ORDER_AT_HOME = {"SO": 35, "SGO": 20, "CAO": 25, "NO_ORDER": 8, "WITHDRAWN": 8, "OTHER": 4}
ORDER_BY_END = {"E41": "CAO", "E45": "SGO", "E46": "SGO", "E47": "SGO", "E48": "SGO", "E4A": "SO", "E4B": "SO"}
P_PO_NOT_RECORDED = 0.1          # placement_order_date left null: derived from the E1 episode (care.md C.5)
P_FLAG_NOT_RECORDED = 0.05
P_REVERSED_DECISION = 0.07       # of young children in care proceedings not adopted
REVERSAL = {"RD1": 15, "RD2": 30, "RD3": 35, "RD4": 20}


def _placement_order(periods: dict) -> np.ndarray:
    """The day the legal status became E1 (NEVER if it never did)."""
    return np.where(periods["ls1"] == "E1", periods["t1"], np.where(periods["ls2"] == "E1", periods["t2"], NEVER))


def legal_proceedings(sim: Simulation, periods: dict, cp: dict) -> dict[str, np.ndarray]:
    """Rows (child, plo_start/end, plo_outcome, issue_date, final_order_date, final_order; NEVER =
    not yet) reaching the window."""
    rng, path = sim.care_rng, periods["path"]
    n = len(path)
    voluntary_court = (path == "voluntary") & (periods["ls1"] == "C1")
    court = np.isin(path, ["care_order", "adoption", "police"]) | voluntary_court
    # the order starting the court's involvement, and the final hearing
    icare = np.where((path == "police") | voluntary_court, periods["t1"], periods["start"])
    court &= icare < periods["end"]            # gone home before any application: no proceedings
    final = np.where((path == "police") | voluntary_court, periods["t2"], periods["t1"])
    floor = sim.children.birth_floor(periods["child"])
    issue = np.maximum(icare - days(rng.integers(0, 11, n)), sim.children.dob[periods["child"]])
    ended_first = periods["end"] <= final
    order = np.where(_placement_order(periods) == final, "PO", "CO").astype(object)
    order[ended_first] = [ORDER_BY_END.get(r, "WITHDRAWN") for r in periods["end_reason"][ended_first]]
    final = np.minimum(final, periods["end"])
    plo = court & (path != "police") & (rng.random(n) < P_PLO_BEFORE_ISSUE)
    plo_start = np.where(plo, np.maximum(issue - days(lognormal_int(rng, 90, 0.5, n, minimum=14)), floor), NEVER)
    a = {"child": periods["child"][court], "plo_start": plo_start[court],
         "plo_end": np.where(plo, issue, NEVER)[court],
         "plo_outcome": np.where(plo, "ISSUED", None)[court].astype(object), "issue": issue[court],
         "final": final[court], "final_order": order[court]}

    # pre-proceedings of children on CP plans who are not (yet) in care
    m = len(cp["child"])
    chosen = rng.random(m) < P_CP_PLO
    start = cp["start"] + days(rng.integers(30, 241, m))
    chosen &= start < cp["end"]
    k = int(chosen.sum())
    start = start[chosen]
    outcome = categorical(rng, k, PLO_OUTCOMES)
    end = start + days(lognormal_int(rng, 100, 0.4, k, minimum=14))
    issued = outcome == "ISSUED"
    b_issue = np.where(issued, np.maximum(end, sim.children.dob[cp["child"][chosen]]), NEVER)
    b_final = np.where(issued, b_issue + days(rng.integers(120, 361, k)), NEVER)
    b_order = np.where(issued, categorical(rng, k, ORDER_AT_HOME), None).astype(object)
    b = {"child": cp["child"][chosen], "plo_start": start, "plo_end": end, "plo_outcome": outcome.astype(object),
         "issue": b_issue, "final": b_final, "final_order": b_order}

    rows = concat([a, b])
    first = np.minimum(rows["plo_start"], rows["issue"])
    last = np.where(rows["issue"] < NEVER, rows["final"], rows["plo_end"])
    keep = (first <= sim.extract) & (last >= sim.window_start)
    rows = {k_: v[keep] for k_, v in rows.items()}
    rows["plo_outcome"][rows["plo_end"] > sim.extract] = None
    rows["final_order"][rows["final"] > sim.extract] = None
    for col in ("plo_start", "plo_end", "issue", "final"):
        rows[col] = null_after(rows[col], sim.extract)
    order_ = np.lexsort((first[keep], rows["child"]))
    return {k_: v[order_] for k_, v in rows.items()}


def adoption(sim: Simulation, periods: dict) -> dict[str, np.ndarray]:
    """Decisions to place for adoption (child, decision, placement order, matched, foster-carer flag,
    reversal date and reason; NaT/None if not recorded or not yet), made by the extract date."""
    rng, start, placed = sim.care_rng, periods["start"], periods["placed"]
    n = len(start)
    po = _placement_order(periods)
    planned = placed < NEVER
    decision = np.clip(po - days(rng.integers(30, 151, n)), start + 7, po - 1)
    matched = np.maximum(placed - days(rng.integers(7, 43, n)), decision)
    fc = np.where(periods["foster_carer"], "Y", "N").astype(object)
    fc[rng.random(n) < P_FLAG_NOT_RECORDED] = None
    po_recorded = np.where(rng.random(n) < P_PO_NOT_RECORDED, NEVER, po)

    # reversed: a young child in care proceedings not adopted; RD2 when the court made no placement order
    final = np.where(periods["path"] == "police", periods["t2"], periods["t1"])
    young = age_years(periods["dob"], start) < 5
    rev = (np.isin(periods["path"], ["care_order", "police"]) & ~planned & young & (final < NEVER)
           & (rng.random(n) < P_REVERSED_DECISION))
    reason = categorical(rng, n, REVERSAL)
    r_decision = start + days(np.floor(rng.random(n) * np.maximum((final - start).astype(np.int64), 1)))
    reversed_on = np.where(reason == "RD2", final, r_decision + days(rng.integers(60, 401, n)))
    reversed_on = np.maximum(np.minimum(reversed_on, periods["end"]), r_decision)

    take = planned | rev
    decision = np.where(planned, decision, r_decision)
    rows = {"child": periods["child"], "decision_date": decision,
            "placement_order_date": np.where(planned, po_recorded, NEVER),
            "matched_date": np.where(planned, matched, NEVER),
            "adopted_by_foster_carer": np.where(planned, fc, None).astype(object),
            "decision_reversed_date": np.where(rev, reversed_on, NEVER),
            "reversal_reason": np.where(rev, reason, None).astype(object)}
    take &= decision <= sim.extract
    rows = {k: v[take] for k, v in rows.items()}
    rows["reversal_reason"][rows["decision_reversed_date"] > sim.extract] = None
    for col in ("placement_order_date", "matched_date", "decision_reversed_date"):
        rows[col] = null_after(rows[col], sim.extract)
    order = np.lexsort((rows["decision_date"], rows["child"]))
    return {k: v[order] for k, v in rows.items()}

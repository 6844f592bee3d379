"""Casework around the journeys: who holds each child's case (allocations), and the case
supervision and management oversight recorded on it (supervisions).

A case is a chain of the child's open intervals (a referral not closed as NFA, a CP plan, a period
of care) that overlap or touch, as practice.md section 2 chains them; a CIN plan is part of the
case here too (a child on a CIN plan has a social worker), though a CIN plan alone does not make
a child "open to CSC" in practice.md. A new case waits a
few working days with the team alone, then passes from post to post (transfers between teams, a
few months apart); whoever is in the post on the day is the allocated worker (workforce.py), so a
worker leaving, a locum covering or a vacancy changes the allocation. A vacant post's cases are
mostly passed on, half to a colleague in the team, half to another team; some are held by the
team alone: the unallocated children.
"""

from __future__ import annotations

import numpy as np

from . import workforce
from .calendar import on_or_after_workday, workdays_after
from .context import Simulation, concat
from .draws import NEVER, add_months, days

TARGET_CASELOAD = (15.5, 18.5)   # an LA's average children per allocated social worker, uniform
ALLOCATED_SHARE = 0.96           # of open cases, for sizing the workforce
ALLOCATION_WAIT_WD = {0: 0.65, 1: 0.2, 2: 0.08}  # working days a new case waits; the rest 3-10
TRANSFER_MEDIAN_DAYS, TRANSFER_SIGMA = 300, 0.8  # how long a case stays with one post
P_OTHER_HOLDER = 0.015           # cases held by a family support worker (not a social worker)
REALLOCATION_ROUNDS = 4          # a vacant post's case passed on at most this often, then team-held
P_REALLOCATED_IN_TEAM = 0.5      # the others go to another team (a team with many vacancies would sink)
P_VACANCY_TEAM_HELD = 0.08       # a vacant post's case held by the team rather than passed on
SUPERVISION_MEDIAN_DAYS, SUPERVISION_SIGMA = 26, 0.35
P_NEGLECTED_CASE, NEGLECT_FACTOR = 0.1, 2.5   # cases supervised far less often than the rest
OVERSIGHT_PER_YEAR = 1.5         # MGMT_OVERSIGHT records a year per open case


def cases(sim: Simulation, since: np.datetime64) -> dict[str, np.ndarray]:
    """The children's cases (child, start, end; NEVER while open) reaching `since`, begun by the extract."""
    ref = concat(sim.rows["referrals"])
    ref_open = ref["referral_nfa"] == "N"
    spans = [(ref["child"][ref_open], ref["referral_date"][ref_open], ref["closure_date"][ref_open])]
    spans += [(t["child"], t["start"], t["end"]) for t in (concat(sim.cp), concat(sim.cin), concat(sim.cla))]
    child = np.concatenate([s[0] for s in spans])
    start = np.concatenate([s[1] for s in spans]).astype("datetime64[D]")
    end = np.concatenate([s[2] for s in spans]).astype("datetime64[D]")
    order = np.lexsort((start, child))
    child, start, end = child[order], start[order], end[order]
    # chains: a new case where the interval starts after every earlier one of the child has ended
    big = (NEVER.astype(np.int64) + 1) * 2
    shifted_end = child * big + end.astype(np.int64)
    reach = np.maximum.accumulate(shifted_end)
    new = np.r_[True, (child[1:] != child[:-1]) | (child[1:] * big + start[1:].astype(np.int64) > reach[:-1])]
    first = np.flatnonzero(new)
    case_end = (reach[np.r_[first[1:] - 1, len(reach) - 1]] - child[first] * big).astype("datetime64[D]")
    out = {"child": child[first], "start": start[first], "end": case_end}
    keep = (out["end"] > since) & (out["start"] <= sim.extract)
    return {k: v[keep] for k, v in out.items()}


def mean_open(sim: Simulation, case: dict[str, np.ndarray]) -> float:
    """Cases open at the window's month ends, on average."""
    return float(np.mean([((case["start"] <= d) & (case["end"] > d)).sum() for d in sim.month_ends]))


def posts_needed(sim: Simulation, case: dict[str, np.ndarray]) -> int:
    """Social worker posts for the LA's own average caseload, allowing for the vacant ones."""
    target = sim.practice_rng.uniform(*TARGET_CASELOAD)
    return max(1, round(mean_open(sim, case) * ALLOCATED_SHARE / (target * (1 - workforce.vacant_share()))))


def allocations(sim: Simulation, case: dict[str, np.ndarray], since: np.datetime64,
                wf: workforce.Workforce) -> dict[str, np.ndarray]:
    """Allocation rows (child, team, worker, role, start, end; end NEVER while current) from `since`."""
    rng = sim.practice_rng
    stop = np.minimum(case["end"], sim.extract + 1)
    new = case["start"] >= since
    k = len(stop)
    u = rng.random(k)
    cum = np.cumsum(list(ALLOCATION_WAIT_WD.values()))
    wait = np.where(u < cum[-1], np.searchsorted(cum, u, "right"), rng.integers(3, 11, k))
    allocated_from = np.where(new, np.minimum(workdays_after(case["start"], np.where(new, wait, 0)), stop),
                              np.maximum(case["start"], since))

    # the team that takes the case holds it alone while it waits
    pieces = []
    waits = np.flatnonzero(new & (allocated_from > case["start"]))
    first_post = _choose_posts(rng, wf, len(waits))
    pieces.append(_team_rows(case["child"][waits], wf.post_team[first_post], case["start"][waits], allocated_from[waits]))

    # transfers: segments from post to post until the case ends
    child, begin, end_by = case["child"], allocated_from, stop
    segments = []
    while len(child):
        length = np.maximum(np.ceil(rng.lognormal(np.log(TRANSFER_MEDIAN_DAYS), TRANSFER_SIGMA, len(child))), 20)
        seg_end = np.minimum(begin + days(length), end_by)
        live = begin < seg_end
        segments.append((child[live], begin[live], seg_end[live]))
        more = seg_end < end_by
        child, begin, end_by = child[more], seg_end[more], end_by[more]
    child, start, end = (np.concatenate([s[i] for s in segments]) for i in range(3))
    post = _choose_posts(rng, wf, len(child))

    occ = wf.occupancy()
    for attempt in range(REALLOCATION_ROUNDS):
        held = _split(occ, child, post, start, end)
        vacant = held["worker"] < 0
        pieces.append(_worker_rows(wf, held, ~vacant))
        if not vacant.any():
            break
        child, start, end, post = (held[c][vacant] for c in ("child", "start", "end", "post"))
        by_team = (rng.random(len(child)) < P_VACANCY_TEAM_HELD) | (attempt == REALLOCATION_ROUNDS - 1)
        pieces.append(_team_rows(child[by_team], wf.post_team[post[by_team]], start[by_team], end[by_team]))
        child, start, end, post = child[~by_team], start[~by_team], end[~by_team], post[~by_team]
        in_team = rng.random(len(child)) < P_REALLOCATED_IN_TEAM
        post[in_team] = _choose_posts(rng, wf, int(in_team.sum()), team=wf.post_team[post[in_team]])
        post[~in_team] = _choose_posts(rng, wf, int((~in_team).sum()))
    rows = concat(pieces)
    order = np.lexsort((rows["start"], rows["child"]))
    return {c: v[order] for c, v in rows.items()}


def _choose_posts(rng: np.random.Generator, wf: workforce.Workforce, n: int,
                  team: np.ndarray | None = None) -> np.ndarray:
    """Case-holding posts drawn in proportion to their capacity (within the given teams, if any);
    a few cases go to family support workers."""
    other = wf.post_role == "OTHER"
    weight = np.where(other, 0.0, wf.post_weight)
    if team is None:
        cum = np.cumsum(weight)
        post = np.searchsorted(cum, rng.random(n) * cum[-1], "right")
        to_other = rng.random(n) < P_OTHER_HOLDER
        cum_other = np.cumsum(np.where(other, wf.post_weight, 0.0))
        if cum_other[-1] > 0:
            post[to_other] = np.searchsorted(cum_other, rng.random(int(to_other.sum())) * cum_other[-1], "right")
        return np.minimum(post, len(weight) - 1)
    cum = np.cumsum(weight)               # posts are sorted by team: each team's weights are a run
    lo = np.r_[0.0, cum][np.searchsorted(wf.post_team, team, "left")]
    hi = np.r_[0.0, cum][np.searchsorted(wf.post_team, team, "right")]
    return np.minimum(np.searchsorted(cum, lo + rng.random(n) * (hi - lo), "right"), len(weight) - 1)


def _split(occ: dict[str, np.ndarray], child, post, start, end) -> dict[str, np.ndarray]:
    """Cut each (child, post, start, end) where the post changes hands: one piece per occupant."""
    first = workforce.find_spells(occ["post"], occ["start"], post, start)
    last = workforce.find_spells(occ["post"], occ["start"], post, end - 1)
    count = last - first + 1
    seg = np.repeat(np.arange(len(child)), count)
    spell = first[seg] + np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count)
    return {"child": child[seg], "post": post[seg], "start": np.maximum(start[seg], occ["start"][spell]),
            "end": np.minimum(end[seg], occ["end"][spell]), "worker": occ["worker"][spell],
            "nq_until": occ["nq_until"][spell]}


def _worker_rows(wf: workforce.Workforce, held: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    h = {k: v[keep] for k, v in held.items()}
    role = np.where(wf.post_role[h["post"]] == "OTHER", "OTHER", np.where(h["start"] < h["nq_until"], "ASYE", "SW"))
    return {"child": h["child"], "team": wf.post_team[h["post"]], "worker": h["worker"],
            "worker_role": role.astype(object), "start": h["start"], "end": h["end"]}


def _team_rows(child, team, start, end) -> dict[str, np.ndarray]:
    return {"child": child, "team": team, "worker": np.full(len(child), -1), "worker_role":
            np.full(len(child), None, dtype=object), "start": start, "end": end}


def supervisions(sim: Simulation, case: dict[str, np.ndarray], since: np.datetime64) -> dict[str, np.ndarray]:
    """CASE_SUPERVISION about monthly per open case, some cases far less often; MGMT_OVERSIGHT now and then."""
    rng = sim.practice_rng
    begin = np.maximum(case["start"], since)
    stop = np.minimum(case["end"] - 1, sim.extract)
    ok = begin <= stop
    child, start, begin, stop = case["child"][ok], case["start"][ok], begin[ok], stop[ok]
    n = len(child)
    median = SUPERVISION_MEDIAN_DAYS * sim.profile.visit_gap * np.where(rng.random(n) < P_NEGLECTED_CASE,
                                                                         NEGLECT_FACTOR, 1.0)
    span = (stop - begin).astype(np.int64)
    count = (span / (0.4 * median)).astype(np.int64) + 4
    series = np.repeat(np.arange(n), count)
    gap = np.ceil(rng.lognormal(np.log(median[series]), SUPERVISION_SIGMA))
    first_of = np.cumsum(count) - count
    # the first after the case starts within a few weeks; one in progress at `since`, anywhere in a gap
    gap[first_of] = np.floor(rng.random(n) * np.where(start < since, median, 0.8 * median))
    total = np.cumsum(gap)
    offset = total - np.repeat(total[first_of] - gap[first_of], count)
    date = on_or_after_workday(begin[series] + days(offset))
    keep = date <= stop[series]
    sup = {"child": child[series][keep], "supervision_date": date[keep]}

    k = rng.poisson(OVERSIGHT_PER_YEAR * (span + 1) / 365.25)
    rep = np.repeat(np.arange(n), k)
    when = on_or_after_workday(begin[rep] + days(np.floor(rng.random(len(rep)) * (span[rep] + 1))))
    keep = when <= stop[rep]
    types = np.concatenate([np.full(len(sup["child"]), "CASE_SUPERVISION"), np.full(int(keep.sum()), "MGMT_OVERSIGHT")])
    rows = {"child": np.concatenate([sup["child"], child[rep][keep]]),
            "supervision_date": np.concatenate([sup["supervision_date"], when[keep]]), "type": types.astype(object)}
    order = np.lexsort((rows["supervision_date"], rows["child"]))
    return {c: v[order] for c, v in rows.items()}


def horizon(sim: Simulation, months: int) -> np.datetime64:
    return add_months(np.array([sim.window_start]), -months)[0]

"""Adolescents at risk: missing and away episodes with their return interviews (care.md B.2), and
court-authorised deprivation of liberty of a few looked-after teenagers (B.8).

Missing episodes cluster: most children never go missing, some do once, a few again and again
(England: about 1 in 9 looked-after children went missing in a year, about 6 episodes each), and
children looked after go missing far more often than children on plans at home. Most come back
the same day or the next; a return interview is offered within 72 hours for most, and held in
time for about two in three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Simulation, concat
from .draws import NEVER, birthday, categorical, days, lognormal_int, null_after

# per source: share of adolescents (11-17) who go missing, their mean episodes a year, share away (A)
MISSING = {"care": (0.30, 6.0, 0.15), "home": (0.06, 2.5, 0.0)}
MISSING_FROM_AGE = 11
EPISODE_SHAPE = 0.7               # gamma: a few children go missing far more often than the rest
DAYS_GONE = {(0, 0): 35, (1, 1): 35, (2, 3): 15, (4, 9): 10, (10, 29): 4, (30, 60): 1}   # most back in a day
P_RHI_HELD = 0.8                  # of returns from M episodes
P_RHI_IN_72H = 0.8                # of those held
LA_SPREAD = 0.1                   # sigma of an LA's own multiplier on both (LAs' RHI figures differ widely)
P_OFFER_NOT_RECORDED = 0.08
P_OFFERED_NOT_HELD = 0.6
P_DOL = 0.012                     # of looked-after adolescents' periods in the extract
DOL_ORDER_MEDIAN_DAYS = 120


def missing_episodes(sim: Simulation, periods: dict, cp: dict, cin: dict) -> dict[str, np.ndarray]:
    """Episodes (child, missing_type, start_date, end_date, rhi_offered_date, rhi_date) started in the
    window, one at a time per child."""
    rng, kids = sim.care_rng, sim.children
    parts = []
    for source, (child, start, end) in {"care": (periods["child"], periods["start"], periods["end"]),
                                        "home": (np.concatenate([cp["child"], cin["child"]]),
                                                 np.concatenate([cp["start"], cin["start"]]),
                                                 np.concatenate([cp["end"], cin["end"]]))}.items():
        share, rate, away = MISSING[source]
        dob = kids.dob[child]
        lo = np.maximum.reduce([start, birthday(dob, MISSING_FROM_AGE), np.full(len(start), sim.window_start)])
        hi = np.minimum.reduce([end, birthday(dob, 18), np.full(len(start), sim.extract + 1)])
        span = (hi - lo).astype(np.int64)
        who = (span > 0) & (rng.random(len(span)) < share)
        k = rng.poisson(rng.gamma(EPISODE_SHAPE, rate / EPISODE_SHAPE, len(span)) * np.maximum(span, 0) / 365.25)
        k[~who] = 0
        rep = np.repeat(np.arange(len(span)), k)
        on = lo[rep] + days(np.floor(rng.random(len(rep)) * span[rep]))
        kind = np.where(rng.random(len(rep)) < away, "A", "M")
        parts.append(pd.DataFrame({"child": child[rep], "start": on, "type": kind}))
    df = pd.concat(parts).drop_duplicates(["child", "start"]).sort_values(["child", "start"], ignore_index=True)
    child, start = df["child"].to_numpy(), df["start"].to_numpy().astype("datetime64[D]")
    n = len(df)
    bounds = np.array(list(DAYS_GONE))
    lo_hi = bounds[rng.choice(len(bounds), n, p=_p(DAYS_GONE))]
    length = lo_hi[:, 0] + np.floor(rng.random(n) * (lo_hi[:, 1] - lo_hi[:, 0] + 1)).astype(np.int64)
    nxt = np.r_[start[1:], NEVER]
    nxt[np.r_[child[1:] != child[:-1], True]] = NEVER
    end = np.minimum(start + days(length), nxt - 1)      # back before the child's next episode

    missing = df["type"].to_numpy() == "M"
    la = rng.lognormal(0, LA_SPREAD, 2)
    held = missing & (rng.random(n) < min(0.98, P_RHI_HELD * la[0]))
    delay = np.where(rng.random(n) < min(0.98, P_RHI_IN_72H * la[1]), rng.integers(0, 4, n), rng.integers(4, 15, n))
    rhi = np.where(held, end + days(delay), NEVER)
    offered = np.where(held, np.maximum(rhi - days(rng.integers(0, 3, n)), end),
                       np.where(missing & (rng.random(n) < P_OFFERED_NOT_HELD), end + days(rng.integers(0, 6, n)), NEVER))
    offered[held & (rng.random(n) < P_OFFER_NOT_RECORDED)] = NEVER
    return {"child": child, "missing_type": df["type"].to_numpy().astype(object), "start_date": start,
            "end_date": null_after(end, sim.extract), "rhi_offered_date": null_after(offered, sim.extract),
            "rhi_date": null_after(rhi, sim.extract)}


def _p(weights: dict) -> np.ndarray:
    w = np.array(list(weights.values()), float)
    return w / w.sum()


def deprivation_of_liberty(sim: Simulation, periods: dict) -> dict[str, np.ndarray]:
    """Orders (child, start_date, end_date) for a few looked-after teenagers, renewed back to back
    a few times, never beyond the period of care."""
    rng = sim.care_rng
    dob, start, end = periods["dob"], periods["start"], periods["end"]
    lo = np.maximum.reduce([start, birthday(dob, 12), np.full(len(start), sim.window_start - 365)])
    hi = np.minimum(end, sim.extract)
    span = (hi - lo).astype(np.int64)
    chosen = np.flatnonzero((span > 30) & (rng.random(len(span)) < P_DOL))
    orders = rng.integers(1, 5, len(chosen))
    rep = np.repeat(chosen, orders)
    first = np.diff(rep, prepend=-1) != 0          # each chosen period's first order
    length = lognormal_int(rng, DOL_ORDER_MEDIAN_DAYS, 0.4, len(rep), minimum=14)
    offset = np.floor(rng.random(len(chosen)) * span[chosen]).astype(np.int64)
    # each order starts the day after the previous one ends (a renewal)
    run = np.cumsum(length + 1) - (length + 1)
    base = np.repeat(run[first], orders)
    o_start = lo[rep] + days(np.repeat(offset, orders) + run - base)
    o_end = np.minimum(o_start + days(length), end[rep])
    keep = (o_start < o_end) & (o_start <= sim.extract)
    return {"child": periods["child"][rep][keep], "start_date": o_start[keep],
            "end_date": null_after(o_end[keep], sim.extract)}

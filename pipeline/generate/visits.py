"""Statutory visits: a series of working-day gaps per open CP plan, CIN plan or period of care."""

from __future__ import annotations

import numpy as np

from .calendar import workdays_after, workdays_between
from .context import Simulation, concat
from .draws import categorical, days


def visit_series(sim: Simulation, child: np.ndarray, start: np.ndarray, end: np.ndarray,
                 gap_wd: tuple[int, int], visit_type: str) -> dict[str, np.ndarray]:
    """Visits from each start to min(end, extract), gaps uniform in gap_wd working days, kept
    inside the simulated window (series that began before it are only drawn from just before)."""
    rng = sim.rng
    lo, hi = gap_wd
    stop = np.minimum(end, sim.extract)
    begin = np.maximum(start, sim.window_start - days(np.full(len(start), 2 * hi)))
    ok = begin <= stop
    child, start, begin, stop = child[ok], start[ok], begin[ok], stop[ok]

    count = workdays_between(begin - 1, stop) // lo + 2      # enough gaps to pass stop
    first_of = np.cumsum(count) - count
    gap = rng.integers(lo, hi + 1, int(count.sum()))
    gap[first_of] = rng.integers(0, hi + 1, len(first_of))  # first visit soon after the start
    total = np.cumsum(gap)
    offset = total - np.repeat(total[first_of] - gap[first_of], count)
    series = np.repeat(np.arange(len(child)), count)
    date = workdays_after(begin[series], offset)
    keep = (date >= start[series]) & (date <= stop[series]) & (date >= sim.window_start)
    series, date = series[keep], date[keep]
    n = len(date)
    seen_alone = np.where(rng.random(n) < 0.05, None, categorical(rng, n, {"Y": 58, "N": 42})).astype(object)
    return {"child": child[series], "visit_date": date, "visit_type": np.full(n, visit_type, dtype=object),
            "seen_alone": seen_alone}


def all_visits(sim: Simulation, cp: dict, cin: dict, cla_periods: dict, cp_gap: tuple[int, int]) -> dict:
    return concat([
        visit_series(sim, cp["child"], cp["start"], cp["end"], cp_gap, "CP"),
        visit_series(sim, cin["child"], cin["start"], cin["end"], (10, 30), "CIN"),
        visit_series(sim, cla_periods["child"], cla_periods["start"], cla_periods["end"], (20, 40), "CLA"),
    ])

"""Private fostering arrangements and their statutory visits (care.md B.7, C.8): a few children a
year, mostly teenagers living with a family friend, whom the case system knows only for this. The
LA often hears of an arrangement after it began; it visits within 7 working days of being told,
then every 6 weeks in the first year and every 12 weeks after (2005 Regulations, reg 4 and 8).
"""

from __future__ import annotations

import numpy as np

from .calendar import workdays_after
from .context import Simulation
from .draws import LONG_AGO, ages_from_weights, birthday, categorical, days, dob_from_age, lognormal_int, uniform_between

NOTIFICATIONS_PER_10K = 1.3      # a year (England: about 1,600 notifications a year)
AGE_WEIGHTS = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 5, 7, 8]    # under 16 (private fostering ends at 16)
P_BEGAN_BEFORE, P_START_UNKNOWN = 0.65, 0.1
ARRANGEMENT_MEDIAN_DAYS = 240
P_FIRST_VISIT_LATE, P_VISIT_LATE = 0.08, 0.05


def arrangements(sim: Simulation) -> dict[str, np.ndarray]:
    """Arrangements (child, notification_date, start_date, end_date; NEVER = open) reaching the window."""
    rng = sim.care_rng
    n = rng.poisson(NOTIFICATIONS_PER_10K * sim.per_year * (sim.extract - sim.start).astype(np.int64) / 365.25)
    notified = uniform_between(rng, np.full(n, sim.start), np.full(n, sim.extract + 1))
    dob = dob_from_age(notified, ages_from_weights(rng, n, AGE_WEIGHTS))
    began = np.where(rng.random(n) < P_BEGAN_BEFORE, notified - days(rng.integers(0, 181, n)),
                     notified + days(rng.integers(0, 22, n)))
    began = np.maximum(began, dob)
    known = np.maximum(notified, began)
    end = np.minimum(known + days(lognormal_int(rng, ARRANGEMENT_MEDIAN_DAYS, 0.7, n, minimum=14)), birthday(dob, 16))
    end = np.maximum(end, known + 1)
    began = np.where(rng.random(n) < P_START_UNKNOWN, np.datetime64("NaT"), began)
    # reaching the window, notified by the extract date and not beginning after it
    keep = (end >= sim.window_start) & (notified <= sim.extract) & (np.isnat(began) | (began <= sim.extract))
    child = sim.children.add(rng, dob[keep], busy_until=LONG_AGO)
    return {"child": child, "notification_date": notified[keep], "start_date": began[keep], "end_date": end[keep]}


def visits(sim: Simulation, pf: dict) -> dict[str, np.ndarray]:
    """PF visits from notification to the end of the arrangement, kept within the window."""
    rng = sim.care_rng
    child, notified, end = pf["child"], pf["notification_date"], pf["end_date"]
    n = len(child)
    first = workdays_after(notified, np.where(rng.random(n) < P_FIRST_VISIT_LATE, rng.integers(8, 16, n),
                                              rng.integers(1, 8, n)))
    rows, dates, out = np.arange(n), first, []
    while len(rows):
        ok = (dates < end[rows]) & (dates <= sim.extract)
        rows, dates = rows[ok], dates[ok]
        out.append((rows, dates))
        k = len(rows)
        first_year = dates < notified[rows] + 365
        gap = np.where(first_year, rng.integers(21, 43, k), rng.integers(50, 85, k))
        gap = np.where(rng.random(k) < P_VISIT_LATE, gap + rng.integers(5, 30, k), gap)
        dates = dates + days(gap)
    if not out:  # no arrangement: a small LA over a few months may have none
        out = [(rows, dates)]
    row = np.concatenate([r for r, _ in out])
    date = np.concatenate([d for _, d in out]).astype("datetime64[D]")
    keep = date >= sim.window_start
    row, date = row[keep], date[keep]
    m = len(row)
    seen_alone = np.where(rng.random(m) < 0.05, None, categorical(rng, m, {"Y": 70, "N": 30})).astype(object)
    return {"child": child[row], "visit_date": date, "visit_type": np.full(m, "PF", dtype=object),
            "seen_alone": seen_alone}

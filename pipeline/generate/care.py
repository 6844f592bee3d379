"""Looked-after children's statutory reviews, health assessments and dental checks, and the OC2
outcomes returned for those looked after 12 months or more at each 31 March (care.md B.1, B.3, B.4).

Each series is drawn per period of care (short breaks aside) from its start, one step a round:
a review is due 20 working days after the period starts, then 3 months after the first, then 6
months after each (reg 33); a health assessment soon after entry, then every 6 months under 5 and
yearly after; a dental check every year or so, with some children never seen by a dentist.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import on_or_after_workday, on_or_before_workday, workdays_after, working_week
from .context import Simulation
from .draws import NEVER, add_months, age_years, categorical, days, lognormal_int

P_REVIEW_LATE = 0.05             # scaled by the profile's review_lateness (CLA_REVIEW_TIMELY ~95%)
PARTICIPATION = {"PN1": 40, "PN2": 8, "PN3": 8, "PN4": 3, "PN5": 10, "PN6": 24, "PN7": 7}
P_PARTICIPATION_NOT_RECORDED = 0.02
IHA_MEDIAN_WD, P_NO_IHA = 18, 0.04
P_RHA_LATE = 0.1                 # an assessment missed and held months late
P_NO_DENTIST, DENTAL_FACTOR = 0.2, (0.95, 0.3)   # gap = 12 months x lognormal(median, sigma)
NO_DENTIST_SPREAD = 0.3          # sigma of an LA's own multiplier on P_NO_DENTIST (access to dentists differs)
HEALTH_LOOKBACK_DAYS = 400       # events kept from before the window: the up-to-date tests look back 12 months


def _series(sim: Simulation, start: np.ndarray, stop: np.ndarray, first: np.ndarray, step) -> tuple[np.ndarray, ...]:
    """(row, date, ordinal) of each event from `first` while before `stop` and the extract date;
    step(rows, dates, k) gives each row's next date after its k-th."""
    rows, dates, out, k = np.arange(len(start)), first, [], 0
    while len(rows):
        ok = (dates < stop[rows]) & (dates <= sim.extract) & (dates >= start[rows])
        rows, dates = rows[ok], dates[ok]
        out.append((rows, dates, np.full(len(rows), k)))
        k += 1
        dates = step(rows, dates, k)
    row, date, ordinal = (np.concatenate(c) for c in zip(*out))
    return row, date.astype("datetime64[D]"), ordinal


def reviews(sim: Simulation, periods: dict) -> dict[str, np.ndarray]:
    """Every statutory review of the periods (child, review_date, participation), within the period."""
    rng, dob = sim.care_rng, periods["dob"]
    p_late = min(0.5, P_REVIEW_LATE * sim.profile.review_lateness)

    def held(due: np.ndarray) -> np.ndarray:
        n = len(due)
        early = on_or_before_workday(due - days(rng.integers(0, 15, n)))
        late = on_or_after_workday(due + days(rng.integers(1, 31, n)))
        return np.where(rng.random(n) < p_late, late, early)

    def step(rows, dates, k):
        return held(add_months(dates, 3 if k == 1 else 6))

    # WD20(start): the 20th working day after the start (a start on a weekend counts from the Friday before)
    first = held(np.busday_offset(periods["start"], 20, roll="backward", busdaycal=working_week()))
    row, date, _ = _series(sim, periods["start"], periods["end"], first, step)
    n = len(row)
    participation = np.where(age_years(dob[row], date) < 4, "PN0", categorical(rng, n, PARTICIPATION)).astype(object)
    participation[rng.random(n) < P_PARTICIPATION_NOT_RECORDED] = None
    order = np.lexsort((date, periods["child"][row]))
    return {"child": periods["child"][row][order], "review_date": date[order], "participation": participation[order]}


def health(sim: Simulation, periods: dict) -> dict[str, np.ndarray]:
    """IHA, RHA and DENTAL events (child, event_type, event_date) from a little before the window."""
    rng, dob, start, end = sim.care_rng, periods["dob"], periods["start"], periods["end"]
    n = len(start)
    iha = workdays_after(start, lognormal_int(rng, IHA_MEDIAN_WD, 0.5, n))
    iha = np.where(rng.random(n) < P_NO_IHA, NEVER, iha)

    def rha(rows, dates, k):
        months = np.where(age_years(dob[rows], dates) < 5, 6, 12)
        due = add_months(dates, months)
        early = due - days(np.floor(rng.random(len(rows)) * 30 * months / 6))
        late = due + days(rng.integers(20, 120, len(rows)))
        return np.where(rng.random(len(rows)) < P_RHA_LATE, late, early)

    hr, hd, ordinal = _series(sim, start, end, iha, rha)
    kind = np.where(ordinal == 0, "IHA", "RHA")

    def dental(rows, dates, k):
        factor = rng.lognormal(np.log(DENTAL_FACTOR[0]), DENTAL_FACTOR[1], len(rows))
        return dates + days(np.maximum(60, 365 * factor))

    seen = rng.random(n) >= min(0.6, P_NO_DENTIST * rng.lognormal(0, NO_DENTIST_SPREAD))
    first_check = np.where(seen, start + days(rng.integers(30, 270, n)), NEVER)
    dr, dd, _ = _series(sim, start, end, first_check, dental)
    row = np.concatenate([hr, dr])
    date = np.concatenate([hd, dd])
    event = np.concatenate([kind, np.full(len(dr), "DENTAL")]).astype(object)
    keep = date >= sim.window_start - HEALTH_LOOKBACK_DAYS
    row, date, event = row[keep], date[keep], event[keep]
    order = np.lexsort((date, periods["child"][row]))
    return {"child": periods["child"][row][order], "event_type": event[order], "event_date": date[order]}


def oc2(sim: Simulation, periods: dict, events: dict) -> dict[str, np.ndarray]:
    """One OC2 row per child looked after 12 months or more at each 31 March of the history, its
    health and teeth flags read from the child's events (the annual assessment up to date, a dental
    check in the year), the rest drawn by age."""
    rng = sim.care_rng
    years = np.arange(sim.window_start.astype("datetime64[Y]"), sim.extract.astype("datetime64[Y]") + 1)
    march = (years.astype("datetime64[M]") + 2).astype("datetime64[D]") + 30
    march = march[(march >= sim.window_start) & (march <= sim.extract)]
    parts = []
    for m in march:
        rows = np.flatnonzero((periods["start"] <= add_months(np.array([m]), -12)[0]) & (periods["end"] > m))
        parts.append(pd.DataFrame({"row": rows, "year_ending": np.full(len(rows), m)}))
    if not parts:
        return {"child": np.empty(0, np.int64), "year_ending": np.empty(0, "datetime64[D]"),
                **{c: np.empty(0, object) for c in ("health_check", "immunisations", "teeth_check",
                                                    "development_assessment", "substance_misuse", "convicted",
                                                    "sdq_score")}}
    c = pd.concat(parts, ignore_index=True)
    c["child"] = periods["child"][c["row"].to_numpy()]
    age = age_years(periods["dob"][c["row"].to_numpy()], c["year_ending"].to_numpy().astype("datetime64[D]"))
    ev = pd.DataFrame({"child": events["child"], "type": events["event_type"], "date": events["event_date"]})
    joined = c.reset_index().merge(ev, on="child")
    d = joined["date"].to_numpy().astype("datetime64[D]")
    y = joined["year_ending"].to_numpy().astype("datetime64[D]")
    months = np.where(age[joined["index"].to_numpy()] < 5, 6, 12)
    within = (d <= y) & (d >= add_months(y, -months))
    assessed = joined.loc[within & joined["type"].isin(["IHA", "RHA"]).to_numpy(), "index"].unique()
    teeth = joined.loc[within & (joined["type"] == "DENTAL").to_numpy()
                       & (d >= add_months(y, -12)), "index"].unique()
    k = len(c)

    def flag(mask):
        return np.where(mask, "Y", "N").astype(object)

    def drawn(p_yes, applies):
        out = flag(rng.random(k) < p_yes)
        out[~applies] = None
        return out

    sdq = np.clip(np.round(rng.normal(13.5, 7, k)), 0, 40).astype(np.int64).astype(object)
    sdq[(age < 4) | (age > 16) | (rng.random(k) < 0.25)] = None
    return {"child": c["child"].to_numpy(), "year_ending": c["year_ending"].to_numpy().astype("datetime64[D]"),
            "health_check": flag(np.isin(np.arange(k), assessed)), "immunisations": drawn(0.87, np.ones(k, bool)),
            "teeth_check": flag(np.isin(np.arange(k), teeth)), "development_assessment": drawn(0.88, age < 5),
            "substance_misuse": drawn(0.03, age >= 10), "convicted": drawn(0.02, age >= 10), "sdq_score": sdq}

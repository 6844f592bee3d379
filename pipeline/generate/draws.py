"""Vectorised random draws and calendar arithmetic shared by the journey simulators.

Dates are numpy datetime64[D] arrays. An event that has not happened by the end of the
simulation is dated NEVER; everything after the extract date is nulled when tables are built,
so "not yet" and "never" both come out as empty cells.
"""

from __future__ import annotations

import numpy as np

from .calendar import is_workday

NEVER = np.datetime64("2200-01-01", "D")
LONG_AGO = np.datetime64("1900-01-01", "D")
DAYS_PER_YEAR = 365.25


def categorical(rng: np.random.Generator, n: int, weights: dict[str, float]) -> np.ndarray:
    """n codes drawn with the given relative weights (dict literal order is fixed, so deterministic)."""
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def categorical_by_group(rng: np.random.Generator, group: np.ndarray, codes: list[str],
                         table: np.ndarray) -> np.ndarray:
    """One code per row, drawn from the probability row (of `table`, groups x codes) of its group."""
    table = np.asarray(table, dtype=float)
    cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(group))
    idx = (u[:, None] >= cum[group]).sum(axis=1)
    return np.asarray(codes, dtype=object)[np.minimum(idx, len(codes) - 1)]


def ages_from_weights(rng: np.random.Generator, n: int, weights_by_year: list[float]) -> np.ndarray:
    """Ages in fractional years: a whole year drawn by weight, then uniform within the year, except
    that babies come to notice mostly in their first weeks (age within the first year ~ U^2)."""
    p = np.asarray(weights_by_year, dtype=float)
    years = rng.choice(len(p), size=n, p=p / p.sum())
    within = rng.random(n)
    return years + np.where(years == 0, within ** 2, within)


def lognormal_int(rng: np.random.Generator, median: float, sigma: float, n: int, minimum: int = 1) -> np.ndarray:
    return np.maximum(minimum, np.ceil(rng.lognormal(np.log(median), sigma, n))).astype(np.int64)


def days(n) -> np.ndarray:
    return np.asarray(n).astype(np.int64).astype("timedelta64[D]")


def add_months(d: np.ndarray, k) -> np.ndarray:
    """Calendar months added to dates, clamping the day (2024-02-29 + 12 months = 2025-02-28)."""
    d = np.asarray(d, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    day = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(k, dtype=np.int64)
    month_len = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + days(np.minimum(day, month_len - 1))


def birthday(dob: np.ndarray, age: int | np.ndarray) -> np.ndarray:
    return add_months(dob, 12 * np.asarray(age, dtype=np.int64))


def age_years(dob: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Completed years of age at a date."""
    years = at.astype("datetime64[Y]").astype(np.int64) - dob.astype("datetime64[Y]").astype(np.int64)
    return years - (birthday(dob, years) > at)


def dob_from_age(at: np.ndarray, age: np.ndarray) -> np.ndarray:
    return at - days(np.floor(age * DAYS_PER_YEAR))


def random_days(rng: np.random.Generator, first: np.datetime64, last: np.datetime64, n: int,
                weekend_weight: float = 1.0) -> np.ndarray:
    """n dates in [first, last], weekends and bank holidays weighted down (front doors are quieter)."""
    span = np.arange(first, last + 1, dtype="datetime64[D]")
    weight = np.where(is_workday(span), 1.0, weekend_weight)
    return span[rng.choice(len(span), size=n, p=weight / weight.sum())]


def uniform_between(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A date uniformly in [start, end) per row (start where the interval is empty)."""
    width = np.maximum((end - start).astype(np.int64), 1)
    return start + days(np.floor(rng.random(len(start)) * width))


def null_after(d: np.ndarray, limit: np.datetime64) -> np.ndarray:
    """Dates (or datetimes, by their date) later than limit - not happened yet, or NEVER - become NaT."""
    out = np.asarray(d).copy()
    out[out.astype("datetime64[D]") > limit] = np.datetime64("NaT")
    return out


def choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Index of the option drawn per row, from a rows x options matrix of probabilities (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    return np.minimum((rng.random(len(probs))[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)


def map_codes(values: np.ndarray, mapping: dict[str, str], default: str) -> np.ndarray:
    out = np.full(len(values), default, dtype=object)
    for code, mapped in mapping.items():
        out[values == code] = mapped
    return out

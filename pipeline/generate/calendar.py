"""Working days for the simulation: Monday-Friday except England and Wales bank holidays.

The holidays are read from seeds/bank_holidays.csv, the same list dbt's int_working_days uses, so
a journey the generator times in working days measures the same in the warehouse.
"""

from __future__ import annotations

import csv
from functools import lru_cache

import numpy as np

from pipeline.paths import SEEDS_DIR


@lru_cache(maxsize=1)
def working_week() -> np.busdaycalendar:
    with open(SEEDS_DIR / "bank_holidays.csv", newline="") as f:
        holidays = [row["date"] for row in csv.DictReader(f)]
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(holidays, dtype="datetime64[D]"))


def workdays_after(d: np.ndarray, n) -> np.ndarray:
    """The n-th working day after d (a d that is not a working day first rolls to the next one)."""
    return np.busday_offset(d, n, roll="forward", busdaycal=working_week())


def on_or_after_workday(d: np.ndarray) -> np.ndarray:
    return np.busday_offset(d, 0, roll="forward", busdaycal=working_week())


def on_or_before_workday(d: np.ndarray) -> np.ndarray:
    return np.busday_offset(d, 0, roll="backward", busdaycal=working_week())


def is_workday(d: np.ndarray) -> np.ndarray:
    return np.is_busday(d, busdaycal=working_week())


def workdays_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """wd(a, b) of indicators.md: working days d with a < d <= b (0 when b <= a)."""
    return np.maximum(np.busday_count(a + 1, b + 1, busdaycal=working_week()), 0)

"""The state one LA's simulation carries: its random stream, profile, calendar and what it has made."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .profiles import Profile
from .registry import Children


@dataclass
class Simulation:
    rng: np.random.Generator
    # practice.md's additions draw from a stream of their own, so the journeys do not depend on them
    practice_rng: np.random.Generator
    profile: Profile
    extract: np.datetime64            # extract date: nothing later appears in the files
    window_start: np.datetime64       # first day of the history the extract covers
    start: np.datetime64              # first day simulated: a burn-in before the window
    population: int
    # care.md's additions (reviews, health, missing, permanence, private fostering): a stream of their own too
    care_rng: np.random.Generator | None = None
    children: Children = field(default_factory=Children)
    # services, as specs with full (possibly future) timelines; rows are built from them at the end
    cp: list[dict] = field(default_factory=list)
    cin: list[dict] = field(default_factory=list)
    cla: list[dict] = field(default_factory=list)
    # front-door rows, per entity, appended month by month
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    _next_key: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def per_year(self) -> float:
        """Expected events a year for a rate of 1 per 10,000 children."""
        return self.population / 10_000

    @property
    def month_ends(self) -> np.ndarray:
        """The last day of each month of the history, from the window's first to the extract date."""
        return (np.arange(self.window_start.astype("datetime64[M]") + 1,
                          (self.extract + 1).astype("datetime64[M]") + 1).astype("datetime64[D]") - 1)

    def new_keys(self, kind: str, n: int) -> np.ndarray:
        """Sequential integer keys per kind of record; formatted as IDs when the files are written."""
        first = self._next_key[kind]
        self._next_key[kind] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    def collect(self, entity: str, **columns: np.ndarray) -> None:
        self.rows[entity].append(columns)


def concat(parts: list[dict]) -> dict[str, np.ndarray]:
    """Column-wise concatenation of a list of same-keyed dicts of arrays."""
    if not parts:
        return {}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

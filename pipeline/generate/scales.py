"""The fictional LAs of a run: codes, names, child populations and profiles, for a named scale.

Codes X99000001... and names "Synthetic ..." are clearly not real: no ONS code starts with X.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from .profiles import PROFILES, Profile, varied_profile


@dataclass(frozen=True)
class Scale:
    las: int
    population: int | None    # children 0-17 in all its LAs; None: each LA 30,000-60,000
    about: str


SCALES = {
    "demo": Scale(3, None, "three LAs with contrasting profiles (steady, slow child protection, high care rate)"),
    "la": Scale(1, 78_000, "one LA of England's average size"),
    "region": Scale(12, 1_000_000, "a region: 12 LAs, about a million children"),
    "national": Scale(153, 12_000_000, "England: 153 LAs, about 12 million children"),
}
# LA child populations in England run from a few thousand to about 340,000, median about 60,000
POPULATION_MEDIAN, POPULATION_SIGMA = 50_000, 0.85
POPULATION_RANGE = (5_000, 340_000)
GROWTH_A_YEAR = 0.004


@dataclass(frozen=True)
class SyntheticLA:
    code: str
    name: str
    population: int          # children 0-17 in the extract year
    profile: Profile

    def population_in(self, year: int, extract_year: int) -> int:
        """A gently growing population, so each covered year has its own figure."""
        return int(round(self.population * (1 + GROWTH_A_YEAR * (year - extract_year))))


def synthetic_las(scale: str = "demo", n_las: int | None = None, seed: int = 42) -> list[SyntheticLA]:
    """The LAs of a scale (or its first n_las, the population shrinking in proportion). The first
    three always have the named profiles, so the demo's contrasts exist at every scale."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} ({', '.join(SCALES)})")
    spec = SCALES[scale]
    n = spec.las if n_las is None else n_las
    if n < 1:
        raise ValueError("the number of LAs must be at least 1")
    rng = np.random.Generator(np.random.PCG64(seed))
    if spec.population is None:
        populations = np.round(rng.uniform(30_000, 60_000, n), -1).astype(int)
    else:
        populations = _populations(rng, n, spec.population * n / spec.las)
    profiles = [PROFILES[i] if i < len(PROFILES) else varied_profile(rng) for i in range(n)]
    return [SyntheticLA(code=f"X99{i + 1:06d}", name=f"Synthetic {_kind(populations[i])} {_letters(i)}",
                        population=int(populations[i]), profile=profiles[i]) for i in range(n)]


def _populations(rng: np.random.Generator, n: int, total: float) -> np.ndarray:
    """n lognormal LA sizes within POPULATION_RANGE, rescaled to sum to about `total`."""
    low, high = POPULATION_RANGE
    sizes = rng.lognormal(np.log(POPULATION_MEDIAN), POPULATION_SIGMA, n)
    for _ in range(20):     # rescale, clip, repeat: converges in a few rounds
        sizes = np.clip(sizes * total / sizes.sum(), low, high)
    return np.round(sizes, -1).astype(int)


def _kind(population: int) -> str:
    return "County" if population >= 150_000 else "City" if population >= 90_000 else "Borough"


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA, like spreadsheet columns."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = string.ascii_uppercase[r] + out
    return out

"""Children looked after under an agreed series of short breaks (legal status V4: the agreement is
one episode): disabled children whose families get regular overnight breaks. DfE figures of
children looked after leave them out (care.md F.3); about 3 in 100 children with an episode open
are on one (DfE: 2,310 at 31 March 2023 beside 83,840 looked after)."""

from __future__ import annotations

import numpy as np

from .context import Simulation
from .draws import NEVER, ages_from_weights, birthday, categorical, days, dob_from_age, uniform_between

AGREEMENTS_PER_10K = 2.6          # agreements starting a year
AGREEMENT_MEDIAN_DAYS, AGREEMENT_SIGMA = 365, 0.5
AGE_WEIGHTS = [0, 0, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 6, 6, 5, 5, 4, 2]
END = {"E8": 60, "E4A": 40}


def start_agreements(sim: Simulation) -> None:
    """Short-break periods of care from a few years before the simulation to the extract, each
    about a child the case system knows only for it (sim.cla entries with path short_breaks)."""
    rng = sim.care_rng
    first = sim.start - days(3 * 365)
    n = rng.poisson(AGREEMENTS_PER_10K * sim.per_year * (sim.extract - first).astype(np.int64) / 365.25)
    start = uniform_between(rng, np.full(n, first), np.full(n, sim.extract + 1))
    dob = dob_from_age(start, ages_from_weights(rng, n, AGE_WEIGHTS))
    length = np.maximum(rng.lognormal(np.log(AGREEMENT_MEDIAN_DAYS), AGREEMENT_SIGMA, n), 30).astype(np.int64)
    end = np.maximum(np.minimum(start + days(length), birthday(dob, 18)), start + 1)
    keep = end >= sim.window_start
    start, end, dob = start[keep], end[keep], dob[keep]
    k = len(start)
    child = sim.children.add(rng, dob)
    sim.children.disability[child] = True
    never = np.full(k, NEVER)
    sim.cla.append({"dob": dob, "start": start, "end": end, "path": np.full(k, "short_breaks", dtype=object),
                    "ls0": np.full(k, "V4", dtype=object), "t1": never, "ls1": np.full(k, None, dtype=object),
                    "t2": never, "ls2": np.full(k, None, dtype=object), "placed": never,
                    "end_reason": categorical(rng, k, END), "aged_out": end >= birthday(dob, 18),
                    "need": np.full(k, "N2", dtype=object), "uasc": np.zeros(k, bool),
                    "foster_carer": np.zeros(k, bool), "child": child})

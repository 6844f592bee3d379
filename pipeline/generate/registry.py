"""The children the synthetic case system knows: parallel arrays indexed by registry position.

Besides the columns of `children`, the registry keeps the journey state the front door needs to
reuse children: when they were last contacted or referred, and until when an earlier referral
(with every service that followed it) keeps them busy, so a re-referral never overlaps a plan or
a period of care. An unborn child has an expected date of birth; `dob` is when they are (or will
be) born, and the extract shows it only once it has passed.
"""

from __future__ import annotations

import numpy as np

from .draws import LONG_AGO, NEVER, add_months, categorical

ETHNICITY = {
    "WBRI": 64, "WIRI": 0.4, "WIRT": 0.2, "WROM": 0.6, "WOTH": 6, "MWBC": 3, "MWBA": 1, "MWAS": 1.2,
    "MOTH": 3, "AIND": 2, "APKN": 3.5, "ABAN": 1.5, "AOTH": 1.5, "BCRB": 1.5, "BAFR": 4, "BOTH": 0.6,
    "CHNE": 0.4, "OOTH": 2, "REFU": 0.6, "NOBT": 3,
}
UASC_ETHNICITY = {"AOTH": 35, "BAFR": 30, "OOTH": 20, "BOTH": 5, "WOTH": 5, "NOBT": 5}
SEX = {"M": 52, "F": 47.6, "U": 0.4}
P_DISABILITY = 0.08


class Children:
    def __init__(self) -> None:
        self.dob = np.empty(0, "datetime64[D]")
        self.expected_dob = np.empty(0, "datetime64[D]")    # NaT unless first known before birth
        self.sex = np.empty(0, object)
        self.ethnicity = np.empty(0, object)
        self.disability = np.empty(0, bool)
        self.uasc = np.empty(0, bool)
        self.last_contact = np.empty(0, "datetime64[D]")
        self.last_referral = np.empty(0, "datetime64[D]")
        self.busy_until = np.empty(0, "datetime64[D]")
        self.cp_plans = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self.dob)

    def add(self, rng: np.random.Generator, dob: np.ndarray, busy_until=NEVER,
            expected_dob: np.ndarray | None = None) -> np.ndarray:
        """Register new children born on dob; returns their registry positions.

        Children who arrive as open cases (stock) stay busy for ever: they are never re-referred.
        """
        n = len(dob)
        first = len(self)
        self.dob = np.concatenate([self.dob, dob.astype("datetime64[D]")])
        expected = np.full(n, np.datetime64("NaT"), "datetime64[D]") if expected_dob is None else expected_dob
        self.expected_dob = np.concatenate([self.expected_dob, expected.astype("datetime64[D]")])
        self.sex = np.concatenate([self.sex, categorical(rng, n, SEX)])
        self.ethnicity = np.concatenate([self.ethnicity, categorical(rng, n, ETHNICITY)])
        self.disability = np.concatenate([self.disability, rng.random(n) < P_DISABILITY])
        self.uasc = np.concatenate([self.uasc, np.zeros(n, bool)])
        self.last_contact = np.concatenate([self.last_contact, np.full(n, LONG_AGO)])
        self.last_referral = np.concatenate([self.last_referral, np.full(n, LONG_AGO)])
        self.busy_until = np.concatenate([self.busy_until, np.broadcast_to(busy_until, n).astype("datetime64[D]")])
        self.cp_plans = np.concatenate([self.cp_plans, np.zeros(n, np.int64)])
        return np.arange(first, first + n)

    def birth_floor(self, child: np.ndarray) -> np.ndarray:
        """The earliest day a child's events may be dated (extracts.md): their birth, or 9 months
        before the expected birth of a child first known unborn."""
        dob, expected = self.dob[child], self.expected_dob[child]
        known = ~np.isnat(expected)
        floor = dob.copy()
        floor[known] = np.minimum(dob[known], add_months(expected[known], -9))
        return floor

    def mark_uasc(self, rng: np.random.Generator, child: np.ndarray) -> None:
        """Unaccompanied asylum-seeking children: mostly boys, recorded ethnicity of recent arrivals."""
        self.uasc[child] = True
        self.sex[child] = np.where(rng.random(len(child)) < 0.9, "M", "F")
        self.ethnicity[child] = categorical(rng, len(child), UASC_ETHNICITY)

    def table(self, child: np.ndarray, extract: np.datetime64) -> dict[str, np.ndarray]:
        """The children rows for registry positions `child`, as the case system shows them on the
        extract date: a child not yet born has only an expected date of birth (and sex unknown)."""
        dob = self.dob[child].copy()
        unborn = dob > extract
        dob[unborn] = np.datetime64("NaT")
        sex = self.sex[child].copy()
        sex[unborn] = "U"
        return {
            "child_id": child,
            "sex": sex,
            "date_of_birth": dob,
            "expected_date_of_birth": self.expected_dob[child],
            "ethnicity": self.ethnicity[child],
            "disability": np.where(self.disability[child] & ~unborn, "Y", "N").astype(object),
            "uasc": np.where(self.uasc[child], "Y", "N").astype(object),
        }

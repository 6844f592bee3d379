"""Performance profiles: how one fictional LA differs from a baseline of English rates."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

# Baseline journey rates, roughly England around 2020-2024 (per 10,000 children 0-17 a year,
# or conditional probabilities along the journey). The simulators read these; profiles scale them.
CONTACTS_PER_10K = 1150
P_CONTACT_TO_REFERRAL = 0.455
P_DECIDED_LATE = 0.04             # decision more than 1 working day after the contact
P_REREFERRAL = 0.22               # referral of a child referred (and closed) in the last 12 months
P_REFERRAL_NFA = 0.075            # closed with no further action, no assessment
P_REFERRAL_UNASSESSED = 0.075     # closed for another reason without an assessment
ASSESSMENT_MEDIAN_WD = 28
P_STRATEGY = 0.427                # of assessed referrals
P_S47_AGREED = 0.85
P_ICPC = 0.42                     # of S47 enquiries
ICPC_MEDIAN_WD = 11
P_ICPC_TO_PLAN = 0.86
CP_PLAN_MEDIAN_DAYS = 250
P_CP_TO_CARE = 0.12               # plan ends because the child becomes looked after
P_CP_TO_CIN = 0.45                # plan ends with a step down to a CIN plan
P_CARE_DIRECT = 0.045             # of assessed referrals: looked after during the assessment
CLA_ENTRIES_PER_10K = 27
PLACEMENT_MOVES_FIRST_YEAR = 1.2      # moves a year in a period's first year
PLACEMENT_MOVES_LATER = 0.25
CP_VISIT_GAP_WD = (4, 12)         # working days between CP visits, uniform
P_REVIEW_LATE = 0.06


@dataclass(frozen=True)
class Profile:
    """How one synthetic LA differs from the baseline (1.0 = baseline)."""

    label: str
    contacts: float = 1.0
    referral_conversion: float = 1.0
    decision_delay: float = 1.0      # scales the share of contacts decided after 1 working day
    rereferral: float = 1.0
    assessment_delay: float = 1.0
    strategy: float = 1.0
    icpc: float = 1.0                # share of S47 enquiries reaching conference
    icpc_delay: float = 1.0
    cp_duration: float = 1.0
    cla_entries: float = 1.0
    placement_moves: float = 1.0
    visit_gap: float = 1.0
    review_lateness: float = 1.0
    care_leaver_contact: float = 1.0  # scales the share of care leavers out of touch


PROFILES: tuple[Profile, ...] = (
    Profile("steady"),
    Profile("slow child protection", decision_delay=1.6, rereferral=1.2, assessment_delay=1.25,
            icpc_delay=1.45, cp_duration=1.15, visit_gap=1.3, review_lateness=2.5, care_leaver_contact=1.6),
    Profile("high care rate", contacts=1.08, strategy=1.1, icpc=1.1, cp_duration=0.9, cla_entries=1.4,
            placement_moves=1.4, decision_delay=0.7),
)


# How far LAs beyond the three named ones spread around the baseline: the sigma of a mean-one
# lognormal multiplier per field. English LAs differ most in how many children they look after.
VARIATION = {
    "contacts": 0.2, "referral_conversion": 0.08, "decision_delay": 0.4, "rereferral": 0.2,
    "assessment_delay": 0.15, "strategy": 0.15, "icpc": 0.1, "icpc_delay": 0.2, "cp_duration": 0.2,
    "cla_entries": 0.25, "placement_moves": 0.3, "visit_gap": 0.2, "review_lateness": 0.5,
    "care_leaver_contact": 0.4,
}
NEED_SIGMA = 0.12   # a shared level of need moves contacts, child protection and care together


def varied_profile(rng: np.random.Generator) -> Profile:
    """A profile of its own for an LA beyond the named ones: every rate a little off the baseline."""
    def mean_one(sigma: float) -> float:
        return float(np.clip(rng.lognormal(-sigma ** 2 / 2, sigma), 0.5, 2.0))

    need = mean_one(NEED_SIGMA)
    multipliers = {f.name: mean_one(VARIATION[f.name]) for f in fields(Profile) if f.name in VARIATION}
    for name in ("contacts", "strategy", "cla_entries"):
        multipliers[name] *= need
    return replace(Profile("varied"), **multipliers)

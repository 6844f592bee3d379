"""The scorecard's areas (pages), in the order boards read them, built from catalogue families."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    families: tuple[str, ...]


AREAS = (
    Area("front_door", "Front door", ("front_door", "referrals")),
    Area("early_help", "Early help", ("early_help",)),
    Area("assessment", "Assessment and children in need", ("assessments", "cin")),
    Area("child_protection", "Child protection", ("cp_enquiries", "cp_plans")),
    Area("children_in_care", "Children in care", ("cla",)),
    Area("care_leavers", "Care leavers", ("care_leavers",)),
)
# an indicator whose family no area names still appears, on a last page
OTHER = Area("other", "Other measures", ())


def area_of(family: str | None) -> Area:
    return next((a for a in AREAS if family in a.families), OTHER)


# breakdown dimensions of published.indicator_values and how to say them
DIMENSION_LABELS = {
    "initial_category": "initial category of abuse",
    "latest_category": "latest category of abuse",
    "placement_type": "placement type",
    "contact_source_group": "source of contact",
    "referral_source_group": "source of referral",
    "contact_outcome": "contact outcome",
    "assessment_outcome": "assessment outcome",
    "asm_duration_wd": "working days to complete",
    "disability": "disability",
}

CP_CATEGORIES = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple categories",
}

# SSDA903 placement types by their first letter (the broad groups the DfE publishes)
PLACEMENT_GROUPS = {
    "U": "Foster placements",
    "A": "Placed for adoption",
    "P": "With parents / independent living",
    "K": "Secure units and children's homes",
    "H": "Secure units and children's homes",
    "R": "Other residential settings",
    "S": "Residential schools",
    "T": "Temporary placements",
    "Z": "Other placements",
}


def category_label(dimension: str, code: str) -> str:
    """Words for a breakdown value, the code kept so it can be traced to the extract."""
    if dimension in ("initial_category", "latest_category"):
        return f"{CP_CATEGORIES[code]} ({code})" if code in CP_CATEGORIES else code
    if dimension == "placement_type":
        return f"{code}: {PLACEMENT_GROUPS.get(code[:1], 'Other placements')}"
    return code


def category_group(dimension: str, code: str) -> str:
    """The series a breakdown value is stacked into on a chart (placement codes by group)."""
    if dimension == "placement_type":
        return PLACEMENT_GROUPS.get(code[:1], "Other placements")
    return category_label(dimension, code)

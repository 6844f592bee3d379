"""The scorecard's areas (pages), in the order boards read them, built from catalogue families."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    families: tuple[str, ...] = ()
    # indicators shown here whatever their family: a page that cuts across families, as boards read them
    indicators: tuple[str, ...] = ()
    # percent indicators that partition one whole (they add up to 100): drawn as one stacked chart
    composition: tuple[str, ...] = ()


AREAS = (
    Area("front_door", "Front door", ("front_door", "referrals")),
    Area("early_help", "Early help", ("early_help",)),
    Area("assessment", "Assessment and children in need", ("assessments", "cin")),
    # SSC's month-end counts of incomplete work, the backlog a service manager chases
    Area("work_in_progress", "Work in progress at month end",
         indicators=("ASM_OPEN", "ASM_OPEN_OVERDUE", "STR_OPEN", "S47_OPEN", "ICPC_AWAITING")),
    Area("child_protection", "Child protection", ("cp_enquiries", "cp_plans")),
    Area("practice_standards", "Practice standards",
         indicators=("CPP_VISIT_10WD", "CPP_VISIT_TIMELY", "CPP_SEEN_ALONE", "CPP_REVIEW_TIMELY",
                     "CIN_VISIT_TIMELY", "CIN_REVIEW_TIMELY")),
    Area("children_in_care", "Children in care", ("cla", "cla_care", "private_fostering", "adoption")),
    Area("care_leavers", "Care leavers", ("care_leavers",)),
    Area("oversight", "Management oversight", ("oversight",)),
    Area("workforce", "Workforce and caseloads", ("workforce",),
         composition=("WF_PERMANENT_PCT", "WF_AGENCY_PCT", "WF_VACANT_PCT")),
)
# an indicator whose family no area names still appears, on a last page
OTHER = Area("other", "Other measures", ())


def area_of(family: str | None, indicator_id: str | None = None) -> Area:
    """The area that names the indicator, else the one of its family."""
    return (next((a for a in AREAS if indicator_id in a.indicators), None)
            or next((a for a in AREAS if family in a.families), OTHER))


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
    "case_type": "case type",
    "supervision_band": "time since last supervision",
    "disability": "disability",
    "team": "team",
    "worker_role": "worker's role",
    "newly_qualified": "newly qualified",
    "age_band": "age",
    "sex": "sex",
    "legal_status_group": "legal status",
    "placement_group": "placement",
    "reason_ceased_group": "reason for ceasing",
}
# a breakdown of one dimension within another (practice.md section 5), written "outer|inner": shown as a
# table of the outer values (rows) by the inner ones (columns)
CROSS_SEPARATOR = "|"
# breakdowns by team are shown as one table per area, a row per team and a column per measure
TEAM = "team"

SUPERVISION_BANDS = {
    "within_1m": "Within 1 month",
    "1_2m": "Over 1 to 2 months",
    "2_3m": "Over 2 to 3 months",
    "3_6m": "Over 3 to 6 months",
    "over_6m": "Over 6 months",
    "never_new": "No supervision: new in period",
    "never": "No supervision",
}
CASE_TYPES = {"CIN": "Child in need", "CP": "Child protection", "CLA": "Child looked after"}
# the values of the children-looked-after breakdowns (care.md section D, dbt_project/macros/cla_breakdowns.sql)
CLA_GROUPS = {
    "age_band": {"under_1": "Under 1", "1_4": "1 to 4", "5_9": "5 to 9", "10_15": "10 to 15", "16_plus": "16 and over",
                 "unknown": "Not known"},
    "sex": {"M": "Male", "F": "Female", "U": "Not known"},
    "legal_status_group": {"care_order": "Care order", "placement_order": "Placement order", "s20": "Section 20",
                           "other": "Other"},
    "placement_group": {"foster_in_house": "Foster care (in-house)", "foster_ifa": "Foster care (IFA)",
                        "foster_family_friends": "Foster care (family and friends)", "foster_other": "Foster care (other)",
                        "placed_with_parents": "Placed with parents", "residential": "Residential",
                        "adoption": "Placed for adoption", "supported_independent": "Supported / independent living",
                        "other": "Other"},
    "reason_ceased_group": {"adopted": "Adopted", "sgo": "Special guardianship order", "cao": "Child arrangements order",
                            "returned_home": "Returned home", "independent_living": "Independent living",
                            "staying_put": "Staying put", "other": "Other"},
}
YES_NO = {"Y": "Yes", "N": "No", "unknown": "Not recorded"}

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
    if dimension == "supervision_band":
        return SUPERVISION_BANDS.get(code, code)
    if dimension == "case_type":
        return CASE_TYPES.get(code, code)
    if dimension in ("disability", "newly_qualified"):
        return YES_NO.get(code, code)
    if dimension in CLA_GROUPS:
        return CLA_GROUPS[dimension].get(code, code)
    return code


def category_order(dimension: str, codes) -> list[str]:
    """A breakdown's values in the order their list gives (supervision bands by time), else sorted."""
    ordered = {"supervision_band": SUPERVISION_BANDS, "case_type": CASE_TYPES, **CLA_GROUPS}.get(dimension, {})
    return sorted(codes, key=lambda c: (list(ordered).index(c) if c in ordered else len(ordered), c))


def category_group(dimension: str, code: str) -> str:
    """The series a breakdown value is stacked into on a chart (placement codes by group)."""
    if dimension == "placement_type":
        return PLACEMENT_GROUPS.get(code[:1], "Other placements")
    return category_label(dimension, code)

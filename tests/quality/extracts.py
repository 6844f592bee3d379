"""A small two-LA extract (taken 2024-03-31) the gate's refresh tests share."""

from pathlib import Path

from tests.inbox_builder import write_la

CHILDREN = [{"child_id": "C1", "sex": "M", "date_of_birth": "2015-01-01"}]
REFERRALS = [
    {"referral_id": f"R{i}", "child_id": "C1", "referral_date": f"2024-0{m}-1{i % 9}", "referral_source": "1A",
     "referral_nfa": "N"}
    for i, m in enumerate([1, 2, 2, 3], start=1)
]
BASE = {
    "children": CHILDREN,
    "contacts": [{"contact_id": "K1", "child_id": "C1", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A"}],
    "referrals": REFERRALS,
    "assessments": [{"assessment_id": "A1", "child_id": "C1", "start_date": "2024-01-08", "authorisation_date": "2024-02-01"}],
    "cp_plans": [{"cp_plan_id": "P1", "child_id": "C1", "start_date": "2024-01-15", "initial_category": "NEG"}],
    "cla_episodes": [{"episode_id": "E1", "child_id": "C1", "start_date": "2023-01-01", "reason_new_episode": "S",
                      "legal_status": "C2", "category_of_need": "N1", "placement_type": "U1"}],
}
LAS = ("X1", "X2")


def write_base(inbox: Path, extract_date: str = "2024-03-31", **tables) -> None:
    for la in LAS:
        write_la(inbox, la, dict(BASE, **tables.get(la, {})), extract_date=extract_date, population={2024: 1000})

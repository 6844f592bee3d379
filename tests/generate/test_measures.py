"""The calibration's own measures of practice.md's indicators (tests/generate/measures.py), on a
hand-made inbox whose rows sit on the definitions' boundaries: the figures below are worked out
by hand from practice.md, so a measure that drifts from its definition fails here, not silently
in the calibration. The history is the 12 months to 2026-10-31 (month ends 2025-11-30 to 2026-10-31)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from pipeline.specs import entities
from tests.generate.measures import Measures

EXTRACT = "2026-10-31"
ROWS = {
    "contacts": [
        # exactly 24:00:00 counts; one second more does not
        {"contact_id": "K1", "contact_datetime": "2026-03-02 09:00:00", "decision_datetime": "2026-03-03 09:00:00"},
        {"contact_id": "K2", "contact_datetime": "2026-03-02 09:00:00", "decision_datetime": "2026-03-03 09:00:01"},
        # across the clocks going forward (29 March 2026): wall-clock time, 24 hours
        {"contact_id": "K3", "contact_datetime": "2026-03-28 12:00:00", "decision_datetime": "2026-03-29 12:00:00"},
        # decided before the contact (a warning): out of the denominator; decided before the period: out
        {"contact_id": "K4", "contact_datetime": "2026-03-05 12:00:00", "decision_datetime": "2026-03-05 11:00:00"},
        {"contact_id": "K5", "contact_datetime": "2025-10-30 12:00:00", "decision_datetime": "2025-10-30 13:00:00"},
    ],
    "s47_enquiries": [
        # wd(2026-06-01, 2026-06-22) = 15: in time; 16 is not; an end before the start is left out
        {"s47_id": "S1", "start_date": "2026-06-01", "end_date": "2026-06-22", "outcome": "NFA"},
        {"s47_id": "S2", "start_date": "2026-06-01", "end_date": "2026-06-23", "outcome": "ICPC"},
        {"s47_id": "S3", "start_date": "2026-06-10", "end_date": "2026-06-09"},
    ],
    # X: open from 2026-01-10 (Jan..Oct month ends, 10); Y: on a plan throughout (12); Z: in care
    # from 2026-09-15 (Sep, Oct: 2); D: on a plan from 2026-01-01 (10); W's referral was NFA
    "referrals": [{"referral_id": "R1", "child_id": "X", "referral_date": "2026-01-10", "referral_nfa": "N"},
                  {"referral_id": "R2", "child_id": "W", "referral_date": "2026-01-10", "referral_nfa": "Y"}],
    "cp_plans": [{"cp_plan_id": "P1", "child_id": "Y", "start_date": "2025-10-01"},
                 {"cp_plan_id": "P2", "child_id": "D", "start_date": "2026-01-01"}],
    "cla_episodes": [{"episode_id": "E1", "child_id": "Z", "start_date": "2026-09-15", "reason_new_episode": "S",
                      "legal_status": "C2"}],
    # X allocated until the day before 2026-04-30, then held by the team; Y by an ASYE throughout;
    # Z by a family support worker (not a social worker)
    "allocations": [
        {"allocation_id": "A1", "child_id": "X", "team": "T", "worker_id": "W100001", "worker_role": "SW",
         "start_date": "2026-01-10", "end_date": "2026-04-30"},
        {"allocation_id": "A2", "child_id": "X", "team": "T", "start_date": "2026-04-30"},
        {"allocation_id": "A3", "child_id": "Y", "team": "T", "worker_id": "W100002", "worker_role": "ASYE",
         "start_date": "2025-10-01"},
        {"allocation_id": "A4", "child_id": "Z", "team": "T", "worker_id": "W100003", "worker_role": "OTHER",
         "start_date": "2026-09-15"},
    ],
    # Y: within a month at Aug 31, Sep 30 and Oct 31 (Oct 31 - 1 month = Sep 30), not Jul 31 (oversight
    # does not count); X: a record before the case started does not count; Z: within at Oct 31 only
    "supervisions": [
        {"supervision_id": "V1", "child_id": "Y", "supervision_date": "2026-08-30", "type": "CASE_SUPERVISION"},
        {"supervision_id": "V2", "child_id": "Y", "supervision_date": "2026-09-30", "type": "CASE_SUPERVISION"},
        {"supervision_id": "V3", "child_id": "Y", "supervision_date": "2026-07-31", "type": "MGMT_OVERSIGHT"},
        {"supervision_id": "V4", "child_id": "X", "supervision_date": "2026-01-09", "type": "CASE_SUPERVISION"},
        {"supervision_id": "V5", "child_id": "Z", "supervision_date": "2026-10-01", "type": "CASE_SUPERVISION"},
    ],
    # the month's latest snapshot only; the locum covering P1's holder is over establishment
    "workforce_posts": [
        {"as_at_date": "2026-10-15", "post_id": "P1", "team": "T", "role": "SW", "fte": "1.00", "established": "Y",
         "status": "VACANT"},
        {"as_at_date": "2026-10-31", "post_id": "P1", "team": "T", "role": "SW", "fte": "1.00", "established": "Y",
         "status": "PERMANENT", "worker_id": "W100001"},
        {"as_at_date": "2026-10-31", "post_id": "P1-C", "team": "T", "role": "SW", "fte": "1.00", "established": "N",
         "status": "AGENCY", "worker_id": "W100009"},
        {"as_at_date": "2026-10-31", "post_id": "P2", "team": "T", "role": "SW", "fte": "0.50", "established": "Y",
         "status": "AGENCY", "worker_id": "W100002"},
        {"as_at_date": "2026-10-31", "post_id": "P3", "team": "T", "role": "SW", "fte": "0.50", "established": "Y",
         "status": "VACANT"},
    ],
    # one child open at all 12 month ends, another from the last day (s <= M1 covers)
    "early_help_episodes": [{"eh_episode_id": "H1", "child_id": "X", "start_date": "2025-01-01"},
                            {"eh_episode_id": "H2", "child_id": "Y", "start_date": "2026-10-31"}],
    # C: plan from 2026-09-01, in the cohort at Sep 30 (wd 21) and Oct 31, visited 2026-10-02 (wd 20 to
    # Oct 31: in time then); E: from 2026-08-03, out at Aug 31 (wd 19, the 31st a bank holiday),
    # visited 2026-10-01 (wd 21: late); D: also on a CP plan, so not in the CIN-only cohort
    "cin_plans": [{"cin_plan_id": "C1", "child_id": "C", "start_date": "2026-09-01"},
                  {"cin_plan_id": "C2", "child_id": "E", "start_date": "2026-08-03"},
                  {"cin_plan_id": "C3", "child_id": "D", "start_date": "2026-01-01"},
                  {"cin_plan_id": "C4", "child_id": "F", "start_date": "2026-01-15", "end_date": "2026-09-01"}],
    "visits": [{"child_id": "C", "visit_date": "2026-10-02", "visit_type": "CIN"},
               {"child_id": "E", "visit_date": "2026-10-01", "visit_type": "CIN"},
               {"child_id": "E", "visit_date": "2026-10-30", "visit_type": "CP"}],
    # F: first review due 2026-04-15 (held then: in time, and repeated: counts once), next due
    # 2026-07-15 (held a day late); a review before the plan started is left out
    "cin_reviews": [{"cin_plan_id": "C4", "child_id": "F", "review_date": "2026-04-15"},
                    {"cin_plan_id": "C4", "child_id": "F", "review_date": "2026-04-15"},
                    {"cin_plan_id": "C4", "child_id": "F", "review_date": "2026-07-16"},
                    {"cin_plan_id": "C4", "child_id": "F", "review_date": "2026-01-10"}],
}


@pytest.fixture(scope="module")
def measures(tmp_path_factory) -> Measures:
    inbox = tmp_path_factory.mktemp("inbox")
    folder = inbox / "X99000001"
    folder.mkdir()
    (folder / "manifest.yml").write_text(yaml.safe_dump({"la_code": "X99000001", "population_0_17": {2026: 10_000}}))
    for name, entity in entities().items():
        _write(folder / f"{name}.csv", entity.column_names, ROWS.get(name, []))
    return Measures(inbox, EXTRACT)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        out = csv.DictWriter(f, header)
        out.writeheader()
        out.writerows(rows)


def test_contacts_decided_within_24_hours_count_wall_clock_time_up_to_24_00_00(measures):
    assert measures.contacts_decided_24h_percent() == pytest.approx(100 * 2 / 3)   # K1, K3 of K1-K3


def test_s47_enquiries_in_time_within_15_working_days(measures):
    assert measures.s47_timely_percent() == 50          # S1 of S1, S2
    assert measures.s47_nfa_percent() == 50


def test_unallocated_children_are_open_without_a_social_worker(measures):
    # open: X 10 + Y 12 + Z 2 + D 10 month ends; unallocated: X from Apr 30 (7), Z with an OTHER worker
    # (2), D with no allocation at all (10)
    assert measures.unallocated_percent() == pytest.approx(100 * 19 / 34)
    assert sorted(measures.caseloads()) == [1] * 15      # W100001 Jan-Mar, W100002 every month end


def test_supervision_within_a_month_of_the_month_end_since_the_case_started(measures):
    assert measures.supervised_within_month_percent() == pytest.approx(100 * 4 / 34)   # Y 3, Z 1


def test_workforce_shares_of_established_fte_in_the_months_latest_snapshot(measures):
    assert measures.workforce_percent("AGENCY") == 25
    assert measures.workforce_percent("VACANT") == 25
    assert measures.workforce_percent("PERMANENT") == 50


def test_early_help_open_per_10000(measures):
    assert measures.open_per_10k("early_help_episodes") == pytest.approx(13 * 1e4 / (10_000 * 12))


def test_cin_visits_in_timescale_and_reviews(measures):
    # C at Oct 31, of C and E at Sep 30 and Oct 31 and F (never visited) at Feb 28 to Aug 31 (Jan 31:
    # wd 11 since its start, too new)
    assert measures.cin_visit_timely_percent() == pytest.approx(100 / 11)
    assert measures.cin_review_timely_percent() == 50    # Apr 15 of Apr 15, Jul 16


# care.md section C, on two more inboxes (their looked-after children would change the figures above)
EP = {"category_of_need": "N1", "placement_provider": "PR1"}
CARE_ROWS = {
    # A: in care from Mon 2026-01-05 (LAC at the 10 month ends Jan-Oct) in general foster care; B on
    # short breaks (V4) throughout; C in family and friends foster care since 2024 (the 12+ months cohort)
    "children": [{"child_id": "A", "date_of_birth": "2010-05-01"}, {"child_id": "B", "date_of_birth": "2012-01-01"},
                 {"child_id": "C", "date_of_birth": "2015-03-03"}, {"child_id": "D", "date_of_birth": "2008-11-15"}],
    "cla_episodes": [
        {**EP, "episode_id": "E1", "child_id": "A", "start_date": "2026-01-05", "reason_new_episode": "S",
         "legal_status": "C2", "placement_type": "U4"},
        {**EP, "episode_id": "E2", "child_id": "B", "start_date": "2025-06-01", "reason_new_episode": "S",
         "legal_status": "V4", "placement_type": "K2"},
        {**EP, "episode_id": "E3", "child_id": "C", "start_date": "2024-01-10", "reason_new_episode": "S",
         "legal_status": "C2", "placement_type": "U1"}],
    # A: first due WD20(2026-01-05) = 2026-02-02 (held then, twice: one review), second due 2026-05-02
    # (held 05-05, late), third due 2026-11-05 (held 10-01); B's review is under V4: not counted
    "cla_reviews": [{"child_id": "A", "review_date": "2026-02-02"}, {"child_id": "A", "review_date": "2026-02-02"},
                    {"child_id": "A", "review_date": "2026-05-05"}, {"child_id": "A", "review_date": "2026-10-01"},
                    {"child_id": "B", "review_date": "2026-03-01"}],
    # A: in time at Jan 31 (Jan 9 + 42 days), Feb 28 (Feb 15 + 42 = Mar 29), Oct 31; not Mar-Sep; the CP
    # visit does not count; C never visited since the placement began (due 2024-01-17)
    "visits": [{"child_id": "A", "visit_date": "2026-01-09", "visit_type": "CLA"},
               {"child_id": "A", "visit_date": "2026-02-15", "visit_type": "CLA"},
               {"child_id": "A", "visit_date": "2026-05-01", "visit_type": "CP"},
               {"child_id": "A", "visit_date": "2026-10-20", "visit_type": "CLA"}],
    # C: a dental check in the 12 months to each month end but 2026-06-30; assessed (aged 10-11: 12
    # months) at the month ends from Jan 31
    "cla_health": [{"child_id": "C", "event_type": "DENTAL", "event_date": "2025-06-15"},
                   {"child_id": "C", "event_type": "DENTAL", "event_date": "2026-07-31"},
                   {"child_id": "C", "event_type": "RHA", "event_date": "2026-01-15"}],
    # returns in the period: M1 (interview end + 3: in time), M2 (held end + 4, offered end + 1), M4
    # (none), M7 (held and offered before the return: never in time); A rows, returns before the
    # period and children still missing are out
    "missing_episodes": [
        {"missing_id": "M1", "child_id": "A", "missing_type": "M", "start_date": "2026-03-01", "end_date": "2026-03-02",
         "rhi_offered_date": "2026-03-03", "rhi_date": "2026-03-05"},
        {"missing_id": "M2", "child_id": "A", "missing_type": "M", "start_date": "2026-04-01", "end_date": "2026-04-01",
         "rhi_offered_date": "2026-04-02", "rhi_date": "2026-04-05"},
        {"missing_id": "M3", "child_id": "A", "missing_type": "A", "start_date": "2026-05-01", "end_date": "2026-05-02",
         "rhi_date": "2026-05-02"},
        {"missing_id": "M4", "child_id": "D", "missing_type": "M", "start_date": "2026-06-01", "end_date": "2026-06-03"},
        {"missing_id": "M5", "child_id": "A", "missing_type": "M", "start_date": "2025-10-20", "end_date": "2025-10-25",
         "rhi_date": "2025-10-26"},
        {"missing_id": "M6", "child_id": "A", "missing_type": "M", "start_date": "2026-10-30"},
        {"missing_id": "M7", "child_id": "D", "missing_type": "M", "start_date": "2026-07-01", "end_date": "2026-07-02",
         "rhi_offered_date": "2026-07-01", "rhi_date": "2026-07-01"}],
    # concluded in the period: 182 and 59 days; one before it, one not concluded
    "legal_proceedings": [
        {"legal_id": "L1", "child_id": "A", "issue_date": "2025-12-01", "final_order_date": "2026-06-01"},
        {"legal_id": "L2", "child_id": "C", "issue_date": "2026-01-01", "final_order_date": "2026-03-01"},
        {"legal_id": "L3", "child_id": "C", "issue_date": "2025-03-01", "final_order_date": "2025-10-01"},
        {"legal_id": "L4", "child_id": "D", "issue_date": "2026-05-01"}],
}
ADOPTION_ROWS = {
    "children": [{"child_id": "E", "date_of_birth": "2023-02-01"}, {"child_id": "F", "date_of_birth": "2022-05-05"}],
    # E: placement order (E1) 2024-09-01, placed (A4, not the foster carer) 2025-03-01, adopted 2026-02-01.
    # F: with the foster carer from 2023-10-01 (P), E1 2024-05-01, placed with them (A3, B) 2025-01-01,
    # adopted 2026-06-30
    "cla_episodes": [
        {**EP, "episode_id": "E1", "child_id": "E", "start_date": "2024-01-01", "reason_new_episode": "S",
         "legal_status": "C1", "placement_type": "U4", "end_date": "2024-09-01", "reason_episode_ceased": "X1"},
        {**EP, "episode_id": "E2", "child_id": "E", "start_date": "2024-09-01", "reason_new_episode": "L",
         "legal_status": "E1", "placement_type": "U4", "end_date": "2025-03-01", "reason_episode_ceased": "X1"},
        {**EP, "episode_id": "E3", "child_id": "E", "start_date": "2025-03-01", "reason_new_episode": "P",
         "legal_status": "E1", "placement_type": "A4", "end_date": "2026-02-01", "reason_episode_ceased": "E11"},
        {**EP, "episode_id": "F1", "child_id": "F", "start_date": "2023-06-01", "reason_new_episode": "S",
         "legal_status": "C1", "placement_type": "U4", "end_date": "2023-10-01", "reason_episode_ceased": "X1"},
        {**EP, "episode_id": "F2", "child_id": "F", "start_date": "2023-10-01", "reason_new_episode": "P",
         "legal_status": "C1", "placement_type": "U4", "end_date": "2024-05-01", "reason_episode_ceased": "X1"},
        {**EP, "episode_id": "F3", "child_id": "F", "start_date": "2024-05-01", "reason_new_episode": "L",
         "legal_status": "E1", "placement_type": "U4", "end_date": "2025-01-01", "reason_episode_ceased": "X1"},
        {**EP, "episode_id": "F4", "child_id": "F", "start_date": "2025-01-01", "reason_new_episode": "B",
         "legal_status": "E1", "placement_type": "A3", "end_date": "2026-06-30", "reason_episode_ceased": "E12"}],
    # E: no placement order date (the E1 episode's start); F: the row's placement order date, its flag
    # null (A3: a foster-carer adoption); F's later decision is not the linked row
    "adoption": [
        {"adoption_id": "D1", "child_id": "E", "decision_date": "2024-07-01", "matched_date": "2025-02-01",
         "adopted_by_foster_carer": "N"},
        {"adoption_id": "D2", "child_id": "F", "decision_date": "2024-03-01", "placement_order_date": "2024-04-20",
         "matched_date": "2024-12-01"},
        {"adoption_id": "D3", "child_id": "F", "decision_date": "2026-07-01", "placement_order_date": "2026-07-01",
         "matched_date": "2026-07-02", "adopted_by_foster_carer": "N"}],
}


def _inbox(folder: Path, rows: dict) -> Measures:
    la = folder / "X99000001"
    la.mkdir(parents=True)
    (la / "manifest.yml").write_text(yaml.safe_dump({"la_code": "X99000001", "population_0_17": {2026: 10_000}}))
    for name, entity in entities().items():
        _write(la / f"{name}.csv", entity.column_names, rows.get(name, []))
    return Measures(folder, EXTRACT)


@pytest.fixture(scope="module")
def care(tmp_path_factory) -> Measures:
    return _inbox(tmp_path_factory.mktemp("care"), CARE_ROWS)


def test_looked_after_short_breaks_and_placement_mix(care):
    assert care.looked_after_per_10k() == pytest.approx(22 * 1e4 / (10_000 * 12))   # A 10 + C 12, not B
    assert care.short_breaks_percent() == pytest.approx(100 * 12 / 34)
    assert care.placement_mix() == pytest.approx({"general foster care": 100 * 10 / 22,
                                                  "parents or family and friends": 100 * 12 / 22})


def test_cla_reviews_and_visits_in_timescale(care):
    assert care.cla_review_timely_percent() == pytest.approx(100 * 2 / 3)
    assert care.cla_visit_timely_percent() == pytest.approx(100 * 3 / 22)


def test_dental_and_health_up_to_date(care):
    assert care.dental_uptodate_percent() == pytest.approx(100 * 11 / 12)
    assert care.health_uptodate_percent() == pytest.approx(100 * 10 / 12)


def test_return_interviews_within_72_hours(care):
    assert care.rhi_72h_percent() == 25
    assert care.rhi_72h_percent(offered=True) == 50


def test_care_proceedings_weeks(care):
    assert care.care_proceedings_weeks() == pytest.approx((182 + 59) / 2 / 7)


def test_adoption_timescales(tmp_path_factory):
    m = _inbox(tmp_path_factory.mktemp("adoption"), ADOPTION_ROWS)
    assert m.adoption_days("A10") == pytest.approx((425 + 122) / 2)    # F from the foster carer's placement
    assert m.adoption_days("A20") == pytest.approx((244 + 324) / 2)
    assert m.adoption_days("A2") == pytest.approx((153 + 225) / 2)

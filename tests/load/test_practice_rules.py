"""The loader on the practice.md section 1.3 rules: the new entities and columns, conditions between
columns, a compound key, a reference to another entity, the decimal type, and staff IDs (section 1.4)
kept only as their pseudonyms wherever the loader keeps a supplied value."""

import hashlib
import json
from decimal import Decimal

from pipeline.pseudonyms import pseudonym_salt
from tests.inbox_builder import write_la
from tests.load.test_loaders import CHILDREN, load, quarantined


def worker_pseudonym(worker_id: str) -> str:
    """practice.md 1.4 by hand: SHA-256 of the key, then 'worker:', then the ID."""
    return hashlib.sha256((pseudonym_salt() + "worker:" + worker_id).encode()).hexdigest()


def rules(con, entity):
    return [(row, column, rule) for row, column, _, rule, _ in quarantined(con, entity)]


def allocation(aid, **overrides):
    row = {"allocation_id": aid, "child_id": "001", "team": "North", "worker_id": "W1", "worker_role": "SW",
           "start_date": "2024-01-02", "end_date": ""}
    row.update(overrides)
    return row


def test_allocations_worker_role_iff_worker_id_and_end_not_before_start(inbox):
    write_la(inbox, "X1", {"children": CHILDREN, "allocations": [
        allocation("A1", end_date="2024-01-02"),  # row 2: ends the day it starts: covers no day, not an error
        allocation("A2", worker_role=""),  # row 3: a worker without a role
        allocation("A3", worker_id=""),  # row 4: a role without a worker
        allocation("A4", worker_id="", worker_role=""),  # row 5: held by the team alone
        allocation("A5", end_date="2024-01-01"),  # row 6: ends the day before it starts
        allocation("A6", worker_role="NQSW"),  # row 7: not a worker_role code
    ]})
    con, results = load(inbox, "allocations")
    assert rules(con, "allocations") == [
        (3, "worker_role", "worker_without_role"), (4, "worker_role", "role_without_worker"),
        (6, "end_date", "end_before_start"), (7, "worker_role", "unknown_code")]
    assert sorted(r[0] for r in con.execute("select allocation_id from raw.allocations").fetchall()) == ["A1", "A4"]
    messages = {r[0]: r[4] for r in quarantined(con, "allocations")}
    assert messages[3].endswith("row 3: worker_role is empty although worker_id is given")
    assert messages[4].endswith("row 4: worker_role is given although worker_id is empty")


def test_staff_ids_are_kept_as_pseudonyms_and_unknown_columns_are_dropped(inbox):
    write_la(inbox, "X1", {"children": CHILDREN, "allocations": [
        allocation("A1", worker_id=" W-77 ", worker_name="Jo Bloggs"),  # row 2: loads
        allocation("A2", worker_id="W-88", end_date="2023-12-31", worker_name="Sam Smith"),  # row 3: quarantined
    ], "workforce_posts": [  # a vacant post naming a worker: the rule is on worker_id itself
        {"as_at_date": "2024-01-31", "post_id": "P1", "team": "North", "role": "SW", "fte": "1", "established": "Y",
         "status": "VACANT", "worker_id": "W-99", "Worker Name": "Al Jones"}]})
    con, results = load(inbox, "allocations", "workforce_posts")
    (raw_value, record), = con.execute("select raw_value, raw_record from audit.quarantine "
                                       "where entity = 'allocations'").fetchall()
    assert raw_value == "2023-12-31"
    assert json.loads(record)["worker_id"] == worker_pseudonym("W-88")
    assert "worker_name" not in json.loads(record)  # names are never kept, not even in the quarantine
    (raw_value, record, message), = con.execute("select raw_value, raw_record, message from audit.quarantine "
                                                "where entity = 'workforce_posts'").fetchall()
    assert raw_value == worker_pseudonym("W-99")
    assert json.loads(record)["worker_id"] == worker_pseudonym("W-99") and "Worker Name" not in json.loads(record)
    assert message.endswith("row 2: worker_id is given although status is VACANT")
    # the row that loaded keeps the ID (raw layer; staging pseudonymises it) and no unknown column
    assert con.execute("select worker_id, _extra from raw.allocations").fetchall() == [("W-77", None)]
    issues = con.execute("select entity, rule, severity, message from audit.dataset_issues order by 1").fetchall()
    assert [i[:3] for i in issues] == [("allocations", "extra_columns_dropped", "warning"),
                                       ("workforce_posts", "extra_columns_dropped", "warning")]
    assert "worker_name" in issues[0][3] and "Worker Name" in issues[1][3]


def post(post_id, **overrides):
    row = {"as_at_date": "2024-01-31", "post_id": post_id, "team": "North", "role": "SW", "fte": "1",
           "established": "Y", "status": "PERMANENT", "worker_id": "W1"}
    row.update(overrides)
    return row


def test_workforce_posts_fte_vacancies_and_the_snapshot_key(inbox):
    write_la(inbox, "X1", {"workforce_posts": [
        post("P1", fte="0.01"),  # row 2: the smallest FTE there is
        post("P2", status="VACANT", worker_id="", fte=".5"),  # row 3: a vacancy
        post("P3", fte="0"),  # row 4: not above 0
        post("P4", fte="1.01"),  # row 5: above 1
        post("P5", fte="0.333"),  # row 6: three decimals
        post("P6", fte="1.000", status="AGENCY", established="N", worker_id="W6"),  # row 7: trailing zeros are fine
        post("P7", worker_id=""),  # row 8: filled without a worker
        post("P8", status="VACANT", worker_id="", established="N"),  # row 9: a vacancy outside the establishment
        post("P9"), post("P9", worker_id="W2"),  # rows 10, 11: the same post twice in one snapshot
        post("P9", as_at_date="2024-02-29"),  # row 12: the same post in the next snapshot
        post("P10", as_at_date="2024-04-01"),  # row 13: a snapshot after the extract date
    ]})
    con, results = load(inbox, "workforce_posts")
    assert rules(con, "workforce_posts") == [
        (4, "fte", "below_minimum"), (5, "fte", "above_maximum"), (6, "fte", "invalid_decimal"),
        (8, "status", "filled_post_without_worker"), (9, "established", "vacant_post_not_established"),
        (10, "post_id", "duplicate_id"), (11, "post_id", "duplicate_id"),
        (13, "as_at_date", "date_after_extract")]
    assert con.execute("select post_id, fte from raw.workforce_posts order by _source_row").fetchall() == [
        ("P1", Decimal("0.01")), ("P2", Decimal("0.50")), ("P6", Decimal("1.00")), ("P9", Decimal("1.00"))]
    messages = {r[0]: r[4] for r in quarantined(con, "workforce_posts")}
    assert messages[4].endswith("fte value '0' is not above 0")
    assert messages[6].endswith("fte value '0.333' is not a number with at most 2 decimals")
    assert messages[8].endswith("status value 'PERMANENT' is not VACANT although worker_id is empty")
    assert messages[10].endswith("(as_at_date, post_id) (2024-01-31, P9) appears more than once in the file")


def test_cin_reviews_need_their_plan_with_the_same_child(inbox):
    plans = [{"cin_plan_id": "CP1", "child_id": "001", "start_date": "2024-01-10"}]
    write_la(inbox, "X1", {"children": CHILDREN, "cin_plans": plans, "cin_reviews": [
        {"cin_plan_id": "CP1", "child_id": "001", "review_date": "2024-02-01"},  # row 2
        {"cin_plan_id": "CP1", "child_id": "002", "review_date": "2024-02-01"},  # row 3: another child's plan
        {"cin_plan_id": "CPX", "child_id": "001", "review_date": "2024-02-01"},  # row 4: no such plan
        {"cin_plan_id": "CP1", "child_id": "001", "review_date": "2024-01-09"},  # row 5: before the plan: a warning
    ]})
    con, results = load(inbox, "cin_plans", "cin_reviews")
    assert rules(con, "cin_reviews") == [(3, "cin_plan_id", "unknown_reference"), (4, "cin_plan_id", "unknown_reference")]
    assert quarantined(con, "cin_reviews")[0][4].endswith("cin_plan_id 'CP1' with child_id '002' is not in cin_plans")
    assert results["cin_reviews"].rows_loaded == 2


def test_warning_rules_load_the_row(inbox):
    """practice.md 1.3: these are reported by the quality gate (test_gx_suites), never quarantined."""
    write_la(inbox, "X1", {"children": CHILDREN, "contacts": [
        {"contact_id": "C1", "child_id": "001", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A",
         "decision_datetime": "2024-01-05 09:59"}],
        "strategy_discussions": [{"strategy_id": "S1", "child_id": "001", "discussion_date": "2024-01-05",
                                  "s47_agreed": "Y", "initiated_date": "2024-01-04", "completed_date": "2024-01-03"}],
        "s47_enquiries": [{"s47_id": "E1", "child_id": "001", "start_date": "2024-01-05", "outcome": "nfa"},
                          {"s47_id": "E2", "child_id": "001", "start_date": "2024-01-05", "end_date": "2024-01-09",
                           "outcome": "STEP_DOWN"}]})
    con, results = load(inbox, "contacts", "strategy_discussions", "s47_enquiries")
    assert quarantined(con, "contacts") == [] and quarantined(con, "strategy_discussions") == []
    assert rules(con, "s47_enquiries") == [(3, "outcome", "unknown_code")]
    assert con.execute("select s47_id, outcome from raw.s47_enquiries").fetchall() == [("E1", "NFA")]


def test_early_help_dates_are_not_before_the_episode_start(inbox):
    def episode(eid, **dates):
        return {"eh_episode_id": eid, "child_id": "001", "start_date": "2024-01-10", "source": "STEP_DOWN", **dates}

    write_la(inbox, "X1", {"children": CHILDREN, "early_help_episodes": [
        episode("E1", assessment_completed_date="2024-01-10", plan_start_date="2024-01-10", end_date="2024-01-10"),
        episode("E2", assessment_completed_date="2024-01-09"),
        episode("E3", plan_start_date="2024-01-09"),
        episode("E4", end_date="2024-01-09"),
        episode("E5", source="SCHOOL"),
    ]})
    con, results = load(inbox, "early_help_episodes")
    assert rules(con, "early_help_episodes") == [
        (3, "assessment_completed_date", "end_before_start"), (4, "plan_start_date", "end_before_start"),
        (5, "end_date", "end_before_start"), (6, "source", "unknown_code")]

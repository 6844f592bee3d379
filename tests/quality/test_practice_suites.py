"""The practice.md section 1.3 rules in the GX suites, on the frames the gate builds (pipeline.quality.frames)
from a real load: warning rules report rows that loaded; error rules catch a row the loader should have
quarantined (put into raw by hand here, as a loader defect would); staff IDs reach GX only as pseudonyms."""

from pipeline.quality.frames import entity_frames
from pipeline.quality.gx_runner import load_suite, run_suite
from pipeline.quality.suites import frame_suite
from pipeline.specs import entities
from tests.inbox_builder import write_la
from tests.load.test_loaders import CHILDREN, load
from tests.load.test_practice_rules import allocation, post, worker_pseudonym
from tests.quality.test_gx_suites import PARAMS


def rows_outcome(con, entity: str):
    suite = load_suite(entity)
    frame = entity_frames(con, entities()[entity], suite, ["X1"])["rows"]
    outcome = run_suite(frame_suite(suite, "rows"), frame, parameters=PARAMS, index_columns=["la_code", "_source_row"])
    return frame, outcome


def failing(outcome) -> dict[tuple[str, str], tuple[str, list[int]]]:
    """(rule, column) -> (severity, the source rows it found)."""
    return {(o.rule, o.column): (o.severity, sorted(r["_source_row"] for r in o.unexpected_rows or []))
            for o in outcome.outcomes if not o.success}


def test_warning_rules_report_the_rows_that_loaded(inbox):
    write_la(inbox, "X1", {"children": CHILDREN, "contacts": [
        {"contact_id": "C1", "child_id": "001", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A",
         "decision_datetime": "2024-01-05 09:59"},  # row 2: decided a minute before it arrived
        {"contact_id": "C2", "child_id": "001", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A",
         "decision_datetime": "2024-01-05 10:00"}],  # row 3: at once is fine
        "strategy_discussions": [
            {"strategy_id": "S1", "child_id": "001", "discussion_date": "2024-01-05", "s47_agreed": "Y",
             "initiated_date": "2024-01-04", "completed_date": "2024-01-04"},  # row 2: the day it was initiated
            {"strategy_id": "S2", "child_id": "001", "discussion_date": "2024-01-05", "s47_agreed": "Y",
             "initiated_date": "2024-01-04", "completed_date": "2024-01-03"},  # row 3: before both
            {"strategy_id": "S3", "child_id": "001", "discussion_date": "2024-01-05", "s47_agreed": "Y",
             "completed_date": "2024-01-04"}],  # row 4: no initiated_date: before the discussion
        "s47_enquiries": [
            {"s47_id": "E1", "child_id": "001", "start_date": "2024-01-05", "outcome": "NFA"},  # row 2: open
            {"s47_id": "E2", "child_id": "001", "start_date": "2024-01-05", "end_date": "2024-01-05",
             "outcome": "ICPC"},  # row 3
            {"s47_id": "E3", "child_id": "001", "start_date": "2024-01-05"}],  # row 4: open, no outcome
        "cin_plans": [{"cin_plan_id": "P1", "child_id": "001", "start_date": "2024-01-10"}],
        "cin_reviews": [{"cin_plan_id": "P1", "child_id": "001", "review_date": "2024-01-10"},  # row 2
                        {"cin_plan_id": "P1", "child_id": "001", "review_date": "2024-01-09"}]})  # row 3
    con, _ = load(inbox, "contacts", "strategy_discussions", "s47_enquiries", "cin_plans", "cin_reviews")
    expected = {
        "contacts": {("end_before_start", "contact_datetime,decision_datetime"): ("warning", [2])},
        # S1 was completed on the day it was initiated, the day before the discussion: in order
        "strategy_discussions": {
            ("end_before_start", "_earliest_initiated_date_discussion_date,completed_date"): ("warning", [3, 4])},
        "s47_enquiries": {("outcome_while_open", "end_date"): ("warning", [2])},
        "cin_reviews": {("end_before_start", "_cin_plans_start_date,review_date"): ("warning", [3])},
    }
    for entity, found in expected.items():
        _, outcome = rows_outcome(con, entity)
        assert outcome.success, entity  # warnings never hold the LA back
        assert failing(outcome) == found, entity


def test_error_rules_catch_rows_that_got_through(inbox):
    write_la(inbox, "X1", {"children": CHILDREN, "allocations": [allocation("A1", worker_id="W-1")],
                           "workforce_posts": [post("P1", worker_id="W-2")],
                           "cin_plans": [{"cin_plan_id": "P1", "child_id": "001", "start_date": "2024-01-10"}],
                           "cin_reviews": [{"cin_plan_id": "P1", "child_id": "001", "review_date": "2024-01-10"}]})
    con, _ = load(inbox, "allocations", "workforce_posts", "cin_plans", "cin_reviews")
    # rows breaking each rule, as if the loader had let them through (row numbers 90+)
    con.execute("""insert into raw.allocations (allocation_id, child_id, team, worker_id, worker_role, start_date,
                                                la_code, _source_row) values
        ('A90', '001', 'North', 'W-90', null, '2024-01-02', 'X1', 90),
        ('A91', '001', 'North', null, 'SW', '2024-01-02', 'X1', 91)""")
    con.execute("""insert into raw.workforce_posts (as_at_date, post_id, team, role, fte, established, status, worker_id,
                                                    la_code, _source_row) values
        ('2024-01-31', 'P90', 'North', 'SW', 0, 'Y', 'VACANT', 'W-90', 'X1', 90),
        ('2024-01-31', 'P91', 'North', 'SW', 1.5, 'N', 'VACANT', null, 'X1', 91),
        ('2024-01-31', 'P92', 'North', 'SW', 1, 'Y', 'AGENCY', null, 'X1', 92),
        ('2024-01-31', 'P1', 'North', 'SW', 1, 'Y', 'AGENCY', 'W-3', 'X1', 93)""")
    con.execute("""insert into raw.cin_reviews (cin_plan_id, child_id, review_date, la_code, _source_row) values
        ('P1', '002', '2024-01-11', 'X1', 90)""")
    frame, outcome = rows_outcome(con, "allocations")
    assert failing(outcome) == {("worker_without_role", "worker_role"): ("error", [90]),
                                ("role_without_worker", "worker_role"): ("error", [91])}
    # the frame holds staff IDs as their pseudonyms, so Data Docs and audit.data_quality never see one
    assert sorted(frame["worker_id"].dropna()) == [worker_pseudonym("W-90")]
    frame, outcome = rows_outcome(con, "workforce_posts")
    assert failing(outcome) == {("below_minimum", "fte"): ("error", [90]), ("above_maximum", "fte"): ("error", [91]),
                                ("vacant_post_with_worker", "worker_id"): ("error", [90]),
                                ("filled_post_without_worker", "status"): ("error", [92]),
                                ("vacant_post_not_established", "established"): ("error", [91]),
                                ("duplicate_id", "la_code,as_at_date,post_id"): ("error", [2, 93])}
    assert not {"W-2", "W-3", "W-90"} & set(frame["worker_id"].dropna())
    _, outcome = rows_outcome(con, "cin_reviews")
    assert failing(outcome) == {("unknown_reference", "_unknown_cin_plans"): ("error", [90])}

"""The dataset-level warnings of practice.md 1.3 (pipeline/load/dataset_rules.py) on hand-made rows, each
at the boundary of its definition: the rows load, and audit.dataset_issues says what is odd, in counts
and row numbers only."""

from tests.inbox_builder import write_la
from tests.load.test_loaders import CHILDREN, load
from tests.load.test_practice_rules import allocation, post


def warnings(con, entity):
    return {rule: message for rule, severity, message in con.execute(
        "select rule, severity, message from audit.dataset_issues where entity = $e and severity = 'warning' "
        "and la_code = 'X1'", {"e": entity}).fetchall()}


def test_allocation_overlaps_team_spellings_and_workers_missing_from_a_snapshot(inbox):
    write_la(inbox, "X1", {"children": CHILDREN, "allocations": [
        # child 001: W1 until 1 February, W2 from 31 January: both hold the case on 31 January
        allocation("A1", worker_id="W1", start_date="2024-01-01", end_date="2024-02-01"),  # row 2
        allocation("A2", worker_id="W2", start_date="2024-01-31"),  # row 3
        # child 002: W2 takes over on the day W1's allocation ends: no day shared
        allocation("A3", child_id="002", worker_id="W1", start_date="2024-01-01", end_date="2024-02-01"),  # row 4
        allocation("A4", child_id="002", worker_id="W2", start_date="2024-02-01", team="NORTH"),  # row 5
        # child U1: an ASYE and a family support worker (OTHER is not a social-worker allocation)
        allocation("A5", child_id="U1", worker_id="W3", worker_role="ASYE", start_date="2024-01-01", team="South"),
        allocation("A6", child_id="U1", worker_id="W4", worker_role="OTHER", start_date="2024-01-01", team="South"),
    ], "workforce_posts": [
        post("P1", as_at_date="2024-01-31", worker_id="W1"), post("P2", as_at_date="2024-01-31", worker_id="W3"),
        post("P1", as_at_date="2024-02-29", worker_id="W2"), post("P2", as_at_date="2024-02-29", worker_id="W3"),
        post("P3", as_at_date="2024-02-29", worker_id="W4"),
    ]})
    con, results = load(inbox, "allocations", "workforce_posts")
    assert results["allocations"].rows_loaded == 6 and results["workforce_posts"].rows_loaded == 5
    assert warnings(con, "allocations") == {
        "overlapping_workers": "X1/allocations: 1 of 3 children with social-worker allocations (33%) have "
                               "overlapping allocations to different workers (rows 2, 3)",
        "team_case_variants": "X1/allocations: 1 team value(s) are written in more than one letter case "
                              "(rows 2, 3, 4, 5): counted as different teams",
    }
    # on 31 January W2 (A2) and W4 (A6) hold cases but are not in the snapshot; on 29 February all are
    assert warnings(con, "workforce_posts") == {
        "workers_missing_from_snapshot": "X1/workforce_posts: 2 worker(s) allocated on the as_at_date of 1 "
                                         "snapshot(s) are not in that snapshot (allocations (rows 3, 7))"}


def test_backlog_and_unrecorded_codes(inbox):
    def s47(sid, start, end="", outcome=""):
        return {"s47_id": sid, "child_id": "001", "start_date": start, "end_date": end, "outcome": outcome}

    write_la(inbox, "X1", {"children": CHILDREN, "s47_enquiries": [
        s47("E1", "2023-03-30"),  # row 2: open, started 12 months and a day before the extract date (2024-03-31)
        s47("E2", "2023-03-31"),  # row 3: open, exactly 12 months: not more
        s47("E3", "2023-01-01", "2023-02-01"),  # row 4: ended without an outcome
        s47("E4", "2023-01-01", "2023-02-01", "NFA"),  # row 5
    ], "early_help_episodes": [
        {"eh_episode_id": "H1", "child_id": "001", "start_date": "2024-01-01", "source": "FAMILY"},
        {"eh_episode_id": "H2", "child_id": "001", "start_date": "2024-01-01"},
    ]})
    # X2's enquiries file has no end_date or outcome column: not supplied, so nothing is said about them
    folder = write_la(inbox, "X2", {"children": CHILDREN})
    (folder / "s47_enquiries.csv").write_text("s47_id,child_id,start_date\nE1,001,2020-01-01\n")
    con, _ = load(inbox, "s47_enquiries", "early_help_episodes")
    assert warnings(con, "s47_enquiries") == {
        "open_over_12_months": "X1/s47_enquiries: 1 of 4 s47 enquiries still open more than 12 months after they "
                               "started (end_date empty) (rows 2): incomplete records left open?",
        "outcome_not_recorded": "X1/s47_enquiries: outcome is empty in 1 of 2 rows with end_date given (50%)",
    }
    assert warnings(con, "early_help_episodes") == {
        "source_not_recorded": "X1/early_help_episodes: source is empty in 1 of 2 rows (50%)"}
    assert con.execute("select count(*) from audit.dataset_issues where la_code = 'X2' and entity = 's47_enquiries'"
                       ).fetchone() == (0,)


def test_care_repeats_overlaps_and_participation_for_age(inbox):
    """care.md B.1-B.3: repeated reviews, health events and missing episodes; overlapping missing episodes
    (one starting the day another ended does not overlap; a repeat is not an overlap); PN0 only under 4."""
    def review(child, day, code=""):
        return {"child_id": child, "review_date": day, "participation": code}

    def missing(mid, child, start, end="", kind="M"):
        return {"missing_id": mid, "child_id": child, "missing_type": kind, "start_date": start, "end_date": end}

    write_la(inbox, "X1", {"children": CHILDREN, "cla_reviews": [
        review("001", "2018-12-31", "PN0"),  # row 2: the day before 001's 4th birthday: still under 4
        review("001", "2019-01-01", "PN0"),  # row 3: aged 4 that day
        review("001", "2018-12-30", "PN1"),  # row 4: aged 3
        review("002", "2024-01-01", "PN7"),  # row 5
        review("U1", "2024-03-01", "PN3"),  # row 6: no date of birth: not judged
        review("002", "2024-01-01"),  # row 7: repeats row 5's review (its participation not recorded)
    ], "cla_health": [
        {"child_id": "001", "event_type": "RHA", "event_date": "2024-01-05"},  # rows 2, 3: one event twice
        {"child_id": "001", "event_type": "RHA", "event_date": "2024-01-05"},
        {"child_id": "001", "event_type": "DENTAL", "event_date": "2024-01-05"},  # another event that day
    ], "missing_episodes": [
        missing("M1", "001", "2024-01-01", "2024-01-10"),  # rows 2, 3: found, missing again the same day
        missing("M2", "001", "2024-01-10", "2024-01-12"),
        missing("M3", "002", "2024-02-01"),  # row 4: still missing when...
        missing("M4", "002", "2024-02-10", "2024-02-11"),  # row 5: ...another episode starts
        missing("M5", "001", "2024-03-01", "2024-03-02", "A"),  # rows 6, 7: one episode given twice
        missing("M6", "001", "2024-03-01", "2024-03-05", "A"),
    ]})
    con, results = load(inbox, "cla_reviews", "cla_health", "missing_episodes")
    assert [results[e].rows_loaded for e in ("cla_reviews", "cla_health", "missing_episodes")] == [6, 3, 6]
    assert warnings(con, "cla_reviews") == {
        "duplicate_review": "X1/cla_reviews: 2 of 6 rows repeat the (child_id, review_date) of another row "
                            "(rows 5, 7): counted as one",
        "participation_age": "X1/cla_reviews: 2 of 5 rows with participation given have PN0 for a child aged 4 or "
                             "over at review_date, or another code for a child under 4 (rows 3, 4)"}
    assert warnings(con, "cla_health") == {
        "duplicate_row": "X1/cla_health: 2 of 3 rows repeat the (child_id, event_type, event_date) of another row "
                         "(rows 2, 3): counted as one"}
    assert warnings(con, "missing_episodes") == {
        "duplicate_missing": "X1/missing_episodes: 2 of 6 rows repeat the (child_id, missing_type, start_date) of "
                             "another row (rows 6, 7): counted as one",
        "overlapping_missing": "X1/missing_episodes: 2 of 6 missing episodes overlap another of the same child "
                               "(rows 4, 5)"}

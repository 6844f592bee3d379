"""The gate on loaded hand-made inboxes (loader + GX, no Dagster, no dbt): every check is recorded
per LA in audit.data_quality, dataset-level failures hold only their LA back, warnings do not, and
rows that slip past the loader are caught by the suites with their source row."""

import json
from datetime import date, timedelta

import duckdb
import pytest

from pipeline.publish import la_verdicts
from pipeline.quality.gate import check_entity
from pipeline.runtime.gx_process import build_data_docs
from pipeline.quality.inbox_check import check_inbox
from pipeline.defs.resources import RefreshSettings
from pipeline.specs import entities
from tests.inbox_builder import write_la

CHILDREN = [{"child_id": f"C{i}", "sex": "F", "date_of_birth": "2012-01-01"} for i in range(1, 41)]


def referral(rid, day, child="C1", **extra):
    return {"referral_id": rid, "child_id": child, "referral_date": day, "referral_source": "1A",
            "referral_nfa": "N", **extra}


def monthly_referrals(counts: dict[str, int]) -> list[dict]:
    """counts: {"2024-01": 30, ...}: that many referrals on the 10th of each month."""
    return [referral(f"R{m}-{i}", f"{m}-10") for m, n in counts.items() for i in range(n)]


def plan(pid, child, start, end=""):
    return {"cp_plan_id": pid, "child_id": child, "start_date": start, "end_date": end, "initial_category": "NEG"}


def episode(eid, child, start, end="", rne="S"):
    return {"episode_id": eid, "child_id": child, "start_date": start, "end_date": end, "reason_new_episode": rne,
            "legal_status": "C2", "category_of_need": "N1", "placement_type": "U1",
            "reason_episode_ceased": "X1" if end else ""}


GOOD = {
    "children": CHILDREN,
    "contacts": [{"contact_id": "K1", "child_id": "C1", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A"}],
    "referrals": monthly_referrals({"2024-01": 30, "2024-02": 30, "2024-03": 30}),
    "assessments": [{"assessment_id": "A1", "child_id": "C1", "start_date": "2024-01-08"}],
    "cp_plans": [plan(f"P{i}", f"C{i}", f"2024-0{1 + i % 2}-15") for i in range(1, 21)],  # 10 a month: too few to judge volume
    # a period of care: the next episode starts the day the previous one ended (touching, not overlapping)
    "cla_episodes": [episode("E1", "C1", "2023-01-01", "2023-06-30"), episode("E2", "C1", "2023-06-30", rne="P")],
}


def dq(con, la=None, entity=None):
    rows = con.execute(
        """select la_code, entity, check_name, severity, rows_checked, rows_failed, passed, details
           from audit.data_quality where ($la is null or la_code = $la) and ($e is null or entity = $e)""",
        {"la": la, "e": entity}).fetchall()
    return {(r[0], r[1], r[2]): dict(severity=r[3], checked=r[4], failed=r[5], passed=r[6], **json.loads(r[7]))
            for r in rows}


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    """X1 clean; X2 with 2 of 4 contacts quarantined, overlapping CP plans and a jump in referrals."""
    inbox = tmp_path_factory.mktemp("gate") / "inbox"
    write_la(inbox, "X1", GOOD)
    contacts = GOOD["contacts"] + [
        {"contact_id": "K2", "child_id": "C1", "contact_datetime": "2024-01-06 10:00", "contact_source": "ZZ"},
        {"contact_id": "K3", "child_id": "C99", "contact_datetime": "2024-01-06 10:00", "contact_source": "1A"},
        {"contact_id": "K4", "child_id": "C2", "contact_datetime": "2024-01-07 10:00", "contact_source": "1A"}]
    plans = GOOD["cp_plans"] + [plan("P99", "C1", "2024-02-01")]  # C1's P1 is still open: overlap
    write_la(inbox, "X2", dict(GOOD, contacts=contacts, cp_plans=plans,
                               referrals=monthly_referrals({"2024-01": 30, "2024-02": 30, "2024-03": 70})))
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)), run_id="r1")
    return con


def test_every_rule_is_recorded_for_every_la(gated):
    checks = dq(gated)
    for la in ("X1", "X2"):
        names = {c for (l, e, c) in checks if l == la and e == "referrals"}
        assert {"file_usable", "file_has_rows", "missing_column", "required:referral_id", "unknown_code:referral_source",
                "invalid_date:referral_date", "duplicate_id:referral_id", "end_before_start:closure_date",
                "date_after_extract:referral_date", "before_birth:referral_date", "orphan_child:child_id",
                "quarantine_share", "volume_change:referral_date"} <= names, la
        assert {"overlap", "overlap_share"} <= {c for (l, e, c) in checks if l == la and e == "cp_plans"}
        assert (la, "manifest", "manifest_valid") in checks
    assert all(c["passed"] for (la, *_), c in checks.items() if la == "X1")
    assert {r.la_code: r.status for r in la_verdicts(gated)} == {"X1": "published", "X2": "held_back"}


def test_quarantine_share_holds_the_la_back_with_counts_by_rule(gated):
    share = dq(gated, "X2", "contacts")[("X2", "contacts", "quarantine_share")]
    assert (share["severity"], share["checked"], share["failed"], share["passed"]) == ("error", 4, 2, False)
    assert share["by_rule"] == {"orphan_child": 1, "unknown_code": 1}
    assert share["message"] == "2 of 4 rows quarantined (50.0%, threshold 5%); see audit.quarantine"
    # the row rule itself passes on what loaded and says how many rows the loader quarantined
    code = dq(gated, "X2", "contacts")[("X2", "contacts", "unknown_code:contact_source")]
    assert (code["passed"], code["quarantined"], code["quarantined_examples"]) == (True, 1, [{"row": 3, "value": "ZZ"}])


def test_overlaps_are_a_warning_and_over_the_threshold_an_error(gated):
    checks = dq(gated, "X2", "cp_plans")
    overlap, share = checks[("X2", "cp_plans", "overlap")], checks[("X2", "cp_plans", "overlap_share")]
    assert (overlap["severity"], overlap["failed"]) == ("warning", 2)
    assert sorted(e["_source_row"] for e in overlap["examples"]) == [2, 22]
    assert (share["severity"], share["checked"], share["failed"], share["passed"]) == ("error", 21, 2, False)
    reason = next(r.reason for r in la_verdicts(gated) if r.la_code == "X2")
    assert "cp_plans: overlap_share failed: 2 of 21 cp plans overlap another of the same child (9.5%, threshold 5%)" in reason
    # touching CLA episodes (a period of care) are not an overlap
    assert dq(gated, "X1", "cla_episodes")[("X1", "cla_episodes", "overlap")]["passed"]


def test_month_on_month_volume_jump_is_a_warning_naming_the_month(gated):
    volume = dq(gated, "X2", "referrals")[("X2", "referrals", "volume_change:referral_date")]
    assert (volume["severity"], volume["checked"], volume["failed"], volume["passed"]) == ("warning", 3, 1, False)
    assert volume["examples"] == [{"_month": "2024-03", "_month_rows": 70, "_previous_month_rows": 30,
                                   "_month_ratio": pytest.approx(70 / 30)}]
    assert "2024-03: 70 rows after 30" in volume["message"]
    assert dq(gated, "X1", "referrals")[("X1", "referrals", "volume_change:referral_date")]["passed"]
    reason = next(r.reason for r in la_verdicts(gated) if r.la_code == "X2")
    assert "volume" not in reason  # a warning never holds an LA back


def test_a_month_with_no_rows_is_a_volume_warning(tmp_path):
    inbox = tmp_path / "inbox"
    write_la(inbox, "X1", dict(GOOD, referrals=monthly_referrals({"2024-01": 30, "2024-03": 30})))
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)))
    volume = dq(con, "X1", "referrals")[("X1", "referrals", "volume_change:referral_date")]
    assert volume["examples"] == [{"_month": "2024-02", "_month_rows": 0, "_previous_month_rows": 30, "_month_ratio": 0.0}]


def test_rows_that_slip_past_the_loader_are_caught_with_their_source_row(gated, tmp_path):
    """The suites audit what would be published: a row the loader should have quarantined (put
    straight into raw, as a loader bug would) fails its rule and holds the LA back."""
    con = gated.cursor()
    referrals = entities()["referrals"]
    con.execute("""insert into raw.referrals (referral_id, child_id, referral_date, referral_source, referral_nfa,
                   la_code, _source_row) values
                   ('BAD1', 'C77', date '2024-03-05', '1A', 'N', 'X1', 500),
                   ('BAD2', 'C1', date '2024-05-01', 'ZZ', 'N', 'X1', 501),
                   ('BAD3', 'C1', date '2011-05-01', '1A', 'N', 'X1', 502)""")
    try:
        check_entity(con, referrals, RefreshSettings(), "r2", docs=tmp_path / "docs")
        build_data_docs(tmp_path / "docs")  # a refresh renders them once, with its last gate
        checks = dq(con, "X1", "referrals")
        orphan = checks[("X1", "referrals", "orphan_child:child_id")]
        assert (orphan["severity"], orphan["failed"], orphan["examples"]) == (
            "error", 1, [{"_source_row": 500, "_orphan_child_id": "C77"}])
        late = checks[("X1", "referrals", "date_after_extract:referral_date")]
        assert [e["_source_row"] for e in late["examples"]] == [501]
        assert [e["_source_row"] for e in checks[("X1", "referrals", "unknown_code:referral_source")]["examples"]] == [501]
        assert [e["_source_row"] for e in checks[("X1", "referrals", "before_birth:referral_date")]["examples"]] == [502]
        verdict = next(v for v in la_verdicts(con) if v.la_code == "X1")
        assert verdict.status == "held_back" and "referrals: orphan_child:child_id failed" in verdict.reason
        assert (tmp_path / "docs" / "index.html").exists()
        assert (tmp_path / "docs" / "validations" / "referrals" / "rows").is_dir()
    finally:
        con.execute("delete from raw.referrals where referral_id like 'BAD%'")
        check_entity(con, referrals, RefreshSettings(), "r1")


def test_header_only_required_file_fails_and_optional_does_not(tmp_path):
    inbox = tmp_path / "inbox"
    write_la(inbox, "X1", dict(GOOD, assessments=[], visits=[]))  # visits: optional, supplied with no rows
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)))
    failing = {k[1:]: v for k, v in dq(con, "X1").items() if not v["passed"]}
    assert set(failing) == {("assessments", "file_has_rows")}
    assert failing[("assessments", "file_has_rows")]["message"] == "assessments has no rows"


def test_thresholds_come_from_the_settings(tmp_path):
    inbox = tmp_path / "inbox"
    late = [referral(f"L{i}", "2024-04-10") for i in range(3)]  # after the extract date: quarantined
    write_la(inbox, "X1", dict(GOOD, referrals=GOOD["referrals"] + late))
    for share, status in ((0.05, "published"), (0.01, "held_back")):  # 3 of 93 = 3.2%
        con = duckdb.connect()
        check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox), max_quarantine_share=share))
        assert [v.status for v in la_verdicts(con)] == [status]


def test_extract_date_in_the_middle_of_a_month_leaves_that_month_out_of_the_volume_check(tmp_path):
    inbox = tmp_path / "inbox"
    days = [(date(2024, 3, 1) + timedelta(days=i)).isoformat() for i in range(3)]
    write_la(inbox, "X1", dict(GOOD, referrals=GOOD["referrals"][:60] + [referral(f"M{d}", d) for d in days]),
             extract_date="2024-03-15")
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)))
    volume = dq(con, "X1", "referrals")[("X1", "referrals", "volume_change:referral_date")]
    assert (volume["checked"], volume["passed"]) == (2, True)  # Jan and Feb; March is not complete


def test_only_the_latest_refreshes_keep_their_data_docs(tmp_path):
    import os

    from pipeline.quality.gate import DATA_DOCS_KEPT, data_docs_dir

    root = tmp_path / "data_docs"
    for i in range(DATA_DOCS_KEPT + 3):
        (root / f"run{i:02d}").mkdir(parents=True)
        os.utime(root / f"run{i:02d}", (1_000_000 + i, 1_000_000 + i))
    path = data_docs_dir(RefreshSettings(warehouse_path=str(tmp_path / "warehouse.duckdb")), "new-run")
    assert path == root / "new-run"
    kept = sorted(p.name for p in root.iterdir())
    assert kept == [f"run{i:02d}" for i in range(4, DATA_DOCS_KEPT + 3)]  # the newest 13, and the new run's to come


def test_backdated_months_before_the_reported_history_are_not_judged_for_volume(tmp_path):
    # 40 referrals in June 2021 then 2 in July would be a 95% drop, but both months are older than
    # the 24 months the indicators report back from the extract date (2022-04 to 2024-03)
    inbox = tmp_path / "inbox"
    write_la(inbox, "X1", dict(GOOD, referrals=monthly_referrals(
        {"2021-06": 40, "2021-07": 2, "2024-01": 30, "2024-02": 30, "2024-03": 30})))
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)))
    volume = dq(con, "X1", "referrals")[("X1", "referrals", "volume_change:referral_date")]
    assert (volume["failed"], volume["passed"]) == (0, True)


def test_validating_only_suspect_rows_finds_exactly_what_validating_every_row_finds(gated, monkeypatch):
    """GX validates only the loaded rows some expectation could find unexpected (frames.suspect_condition);
    with rows of every kind of broken rule slipped into raw, that must not change a single finding,
    and the frame must hold those rows, not every row loaded."""
    from pipeline.quality import frames
    from pipeline.quality.gx_runner import load_suite

    con = gated.cursor()
    con.execute("""insert into raw.referrals (referral_id, child_id, referral_date, referral_source, referral_nfa,
                   la_code, _source_row) values
                   ('BAD1', 'C77', date '2024-03-05', '1A', 'N', 'X1', 500),  -- orphan
                   ('BAD2', 'C1', date '2024-05-01', 'ZZ', 'N', 'X1', 501),   -- after the extract, unknown code
                   ('BAD3', 'C1', date '2011-05-01', '1A', 'N', 'X2', 502),   -- before birth
                   ('BAD3', 'C2', date '2024-01-05', '1A', NULL, 'X2', 503),  -- duplicate id, required flag empty
                   ('BAD4', 'C3', date '2024-01-05', '1A', 'Q', 'X2', 504)    -- not a flag""")
    con.execute("""insert into raw.cla_episodes (episode_id, child_id, start_date, end_date, reason_new_episode,
                   legal_status, category_of_need, placement_type, la_code, _source_row) values
                   ('BADE', 'C5', date '2023-05-01', date '2023-04-01', 'S', 'C2', 'N1', 'U1', 'X2', 600)""")
    con.execute("""insert into raw.children (child_id, sex, la_code, _source_row) values ('C0', 'F', 'X1', 700)""")
    names = ("children", "contacts", "referrals", "cp_plans", "cla_episodes")
    checked = {e: (check_entity(con, entities()[e], RefreshSettings(), "r1"), dq(con, entity=e))[1] for e in names}
    referrals = entities()["referrals"]
    suspects = frames.entity_frames(con, referrals, load_suite("referrals"), ["X1", "X2"])["rows"]
    loaded = con.execute("select count(*) from raw.referrals").fetchone()[0]
    assert sorted(suspects["_source_row"]) == [500, 501, 502, 503, 504] and loaded > 200
    assert sum(f["failed"] for k, f in checked["referrals"].items() if k[2].startswith("row_rules") or
               f.get("expectation")) > 0  # the slipped rows were found
    monkeypatch.setattr(frames, "suspect_condition", lambda expectation: "true")  # every row into GX
    assert len(frames.entity_frames(con, referrals, load_suite("referrals"), ["X1", "X2"])["rows"]) == loaded
    try:
        for e in names:
            check_entity(con, entities()[e], RefreshSettings(), "r1")
            assert dq(con, entity=e) == checked[e], e
    finally:
        monkeypatch.undo()
        con.execute("delete from raw.referrals where _source_row >= 500; delete from raw.cla_episodes where "
                    "_source_row = 600; delete from raw.children where _source_row = 700")
        for e in names:
            check_entity(con, entities()[e], RefreshSettings(), "r1")



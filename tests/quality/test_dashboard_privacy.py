"""The published warehouse is the file dashboards are given: after a real refresh of an extract with
quarantined rows, no child ID, staff ID or date of birth from the inbox can be read from any of its tables
or columns. The quarantine (whole supplied records) is in the restricted audit file beside it, which the
findings report and `pipeline withdraw` use, and a warehouse of the old layout (quarantine inside it) gives
its rows to that file on the next refresh, losing none (issue 28)."""

import shutil
import stat

import duckdb
import pytest

from pipeline.cli import main
from pipeline.defs.refresh import refresh, run_refresh
from pipeline.paths import audit_path_for
from pipeline.quality.findings import quarantine_lines
from tests.defs.test_staff_ids import tables_holding
from tests.quality.extracts import BASE

CHILD = "CHILD-7731-QX"  # loaded, and named by the quarantined referral
CHILD_QUARANTINED = "CHILD-8842-ZV"  # its row is quarantined (an unknown sex code)
STAFF = "STAFF-5150-AL"  # allocated to CHILD
DOB, DOB_QUARANTINED = "2013-07-29", "2011-02-17"
NEEDLES = [CHILD, CHILD_QUARANTINED, STAFF, DOB, DOB_QUARANTINED]
# X2 publishes although a third of its rows are quarantined, so its new figures are in the dashboard file too
THRESHOLDS = {"max_quarantine_share": 1.0}


def x2_tables() -> dict[str, list[dict]]:
    tables = {name: [dict(r, child_id=CHILD) for r in rows] for name, rows in BASE.items()}
    tables["children"] = [
        {"child_id": CHILD, "sex": "F", "date_of_birth": DOB, "ethnicity": "WBRI"},
        {"child_id": CHILD_QUARANTINED, "sex": "Q", "date_of_birth": DOB_QUARANTINED, "ethnicity": "WIRI"}]
    tables["referrals"][0]["referral_source"] = "ZZ"  # an unknown code: quarantined with CHILD in its record
    tables["allocations"] = [{"allocation_id": "AL1", "child_id": CHILD, "team": "North", "worker_id": STAFF,
                              "worker_role": "SW", "start_date": "2024-01-15"}]
    return tables


@pytest.fixture(scope="module")
def refreshed(first_publication):
    from tests.inbox_builder import write_la

    root, warehouse = first_publication
    write_la(root / "inbox", "X2", x2_tables(), population={2024: 1000})
    assert run_refresh(root / "inbox", warehouse, **THRESHOLDS).success
    return root, warehouse


def quarantine(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute("select * from audit.quarantine").fetchall())


def copy_of(warehouse, folder, with_audit=True):
    shutil.copy(warehouse, folder / warehouse.name)
    if with_audit:
        shutil.copy(audit_path_for(warehouse), audit_path_for(folder / warehouse.name))
    return folder / warehouse.name


def test_the_dashboard_file_holds_no_child_or_staff_value(refreshed):
    _, warehouse = refreshed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status from published.publications where la_code = 'X2' "
                           "order by finished_at desc limit 1").fetchone() == ("published",)
        assert con.execute("select count(*) from published.indicator_values where la_code = 'X2'").fetchone()[0] > 0
    assert tables_holding(warehouse, NEEDLES) == []  # every column of every table and view
    # the quarantine moved, whole, to the restricted file, which only the pipeline's user may read
    audit = audit_path_for(warehouse)
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert {(r[0], r[1], r[6]) for r in quarantine(audit)} == {
        ("X2", "children", "unknown_code"), ("X2", "referrals", "unknown_code")}
    assert tables_holding(audit, NEEDLES) == ["audit.quarantine.raw_record"]  # the scan finds what is there


def test_the_findings_read_the_restricted_file(refreshed):
    _, warehouse = refreshed
    with duckdb.connect(str(audit_path_for(warehouse)), read_only=True) as con:
        lines = quarantine_lines(con, "X2", "children")
    assert lines[0] == "QUARANTINED 1 row(s) by rule unknown_code:"
    assert "X2/children.csv row 3" in lines[1] and "'Q'" in lines[1]


def test_withdraw_removes_the_la_from_the_restricted_file(refreshed, tmp_path):
    _, warehouse = refreshed
    copy = copy_of(warehouse, tmp_path)
    assert main(["withdraw", "--la", "X2", "--warehouse", str(copy)]) == 0
    assert quarantine(audit_path_for(copy)) == []
    assert stat.S_IMODE(audit_path_for(copy).stat().st_mode) == 0o600
    assert tables_holding(copy, NEEDLES) == []


def old_layout(warehouse, folder):
    """A copy of the warehouse as publish wrote it before the restricted file: the quarantine inside it."""
    copy = copy_of(warehouse, folder, with_audit=False)
    with duckdb.connect(str(copy)) as con:
        con.execute("attach $p as restricted (read_only)", {"p": str(audit_path_for(warehouse))})
        con.execute("create table audit.quarantine as select * from restricted.audit.quarantine")
    assert quarantine(copy) == quarantine(audit_path_for(warehouse))
    return copy


def test_an_old_layout_warehouse_is_migrated_by_the_next_refresh(refreshed, tmp_path):
    root, warehouse = refreshed
    old = old_layout(warehouse, tmp_path)
    said = []
    # the inbox is unchanged since it was built: nothing runs, but the quarantine moves
    outcome = refresh(root / "inbox", old, say=said.append, **THRESHOLDS)
    assert [p.run for p in outcome.planned] == [False, False]
    assert f"moved 2 quarantined row(s) out of {old} into the restricted {audit_path_for(old)}" in said
    assert quarantine(audit_path_for(old)) == quarantine(audit_path_for(warehouse))
    assert tables_holding(old, NEEDLES) == []
    with duckdb.connect(str(old), read_only=True) as con, duckdb.connect(str(warehouse), read_only=True) as ref:
        sql = "select * from published.indicator_values order by all"
        assert con.execute(sql).fetchall() == ref.execute(sql).fetchall()
    # done once: the next refresh has nothing to move
    said.clear()
    refresh(root / "inbox", old, say=said.append, **THRESHOLDS)
    assert not [line for line in said if line.startswith("moved")]


def test_a_withdraw_from_an_old_layout_warehouse_keeps_the_other_las_quarantine(refreshed, tmp_path):
    _, warehouse = refreshed
    old = old_layout(warehouse, tmp_path)
    assert main(["withdraw", "--la", "X1", "--warehouse", str(old)]) == 0
    assert quarantine(audit_path_for(old)) == quarantine(audit_path_for(warehouse))
    assert tables_holding(old, NEEDLES) == []

"""practice.md 1.4 after a real refresh: a staff ID supplied in allocations and workforce_posts, loaded or
quarantined, appears in no published table, report, Data Docs page or audit table (the quarantine keeps
its pseudonym), and a staff name in an extra column is nowhere at all."""

import zipfile
from pathlib import Path

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from pipeline.paths import build_path_for
from tests.inbox_builder import write_la
from tests.load.test_practice_rules import worker_pseudonym
from tests.quality.extracts import BASE

LOADED = "STAFF-4711-LOADED"  # a worker whose rows load
QUARANTINED = "STAFF-9902-VACANT"  # named on a vacant post: that row is quarantined
NAME = "Jo Quillfeather"  # a name in a column the contract does not know


def text_of(path: Path) -> str:
    if path.suffix == ".xlsx":  # a zip of XML parts
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def tables_holding(db: Path, needles: list[str], schemas: tuple[str, ...] | None = None) -> list[str]:
    """schema.table.column of every column of every table and view (any type, read as text: a date of
    birth may sit in a date column) holding one of the needles."""
    found = []
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall()
        for schema, table, column in columns:
            if schemas and schema not in schemas:
                continue
            hit = " or ".join(f'contains("{column}"::varchar, ${i})' for i in range(1, len(needles) + 1))
            if con.execute(f'select count(*) from "{schema}"."{table}" where {hit}', needles).fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
    return found


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    root = tmp_path_factory.mktemp("staff")
    posts = [{"as_at_date": "2024-03-31", "post_id": f"P{i:02d}", "team": "North", "role": "SW", "fte": "1",
              "established": "Y", "status": "PERMANENT", "worker_id": LOADED if i == 1 else f"W{i:02d}"}
             for i in range(1, 22)]
    posts[1] |= {"status": "VACANT", "worker_id": QUARANTINED}  # row 3
    allocations = [{"allocation_id": "A1", "child_id": "C1", "team": "North", "worker_id": LOADED, "worker_role": "SW",
                    "start_date": "2024-01-15", "worker_name": NAME}]
    write_la(root / "inbox", "X1", dict(BASE, allocations=allocations, workforce_posts=posts),
             population={2024: 1000})
    result = run_refresh(root / "inbox", root / "warehouse.duckdb")
    assert result.success
    return root


def test_the_quarantine_keeps_the_pseudonym_only(refreshed):
    build = build_path_for(refreshed / "warehouse.duckdb")
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select raw_value, rule from audit.quarantine where entity = 'workforce_posts'").fetchall() == [
            (worker_pseudonym(QUARANTINED), "vacant_post_with_worker")]
    # the quarantine, and the examples of quarantined rows the gate records with its checks
    assert sorted(tables_holding(build, [worker_pseudonym(QUARANTINED)], ("audit",))) == [
        "audit.data_quality.details", "audit.quarantine.raw_record", "audit.quarantine.raw_value"]


def test_no_staff_id_or_name_is_published_reported_or_audited(refreshed):
    needles = [LOADED, QUARANTINED, NAME]
    assert tables_holding(refreshed / "warehouse.duckdb", needles) == []
    assert tables_holding(build_path_for(refreshed / "warehouse.duckdb"), needles, ("audit",)) == []
    # the build warehouse's raw layer keeps the loaded ID (staging pseudonymises it), never the name
    assert tables_holding(build_path_for(refreshed / "warehouse.duckdb"), [NAME]) == []
    pages = [p for folder in ("reports", "data_docs") for p in (refreshed / folder).rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in pages if "data_docs" in p.parts)
    assert any(p.suffix == ".xlsx" for p in pages if "reports" in p.parts)
    assert [p.name for p in pages if any(n in text_of(p) for n in needles)] == []

"""What came of a refresh (pipeline.defs.refresh.outcome, the CLI's lines and exit code and the bench's
statuses), on real small refreshes of the gate's two-LA extract (tests/quality/extracts.py): each test
starts from its own copy of the shared first publication, X1 and X2 published from a 2024-03-31 extract."""

import hashlib
import json
import shutil

import duckdb
import pytest

from pipeline.defs.refresh import BlockedCheck, outcome, refresh, run_refresh
from pipeline.errors import EXIT_HELD_BACK, EXIT_OK, EXIT_USAGE
from pipeline.paths import EXPECTATIONS_DIR
from pipeline.quality.suites import INDICATOR_CHECK
from tests.quality.extracts import LAS, REFERRALS, write_base


@pytest.fixture
def published(first_publication_source, tmp_path):
    """(inbox, warehouse): this test's own copy of the first publication."""
    shutil.copytree(first_publication_source / "inbox", tmp_path / "inbox")
    shutil.copy(first_publication_source / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    return tmp_path / "inbox", tmp_path / "warehouse.duckdb"


def indicator_values(warehouse, la):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from published.indicator_values where la_code = $la", {"la": la}).fetchone()[0]


def test_an_unchanged_inbox_runs_nothing_and_exits_0(published):
    inbox, warehouse = published
    said = []
    done = refresh(inbox, warehouse, say=said.append)
    assert said[0] == f"refresh: inbox {inbox} -> warehouse {warehouse}"
    assert [line.split(": ")[:2] for line in said[1:]] == [["X1", "skipped"], ["X2", "skipped"]]
    assert all(" unchanged since run " in line and line.endswith(" (published)") for line in said[1:])
    assert [p.la_code for p in done.planned] == list(LAS) and not any(p.run for p in done.planned)
    assert (done.run_ids, done.las, done.blocked, done.failed_steps) == ([], [], [], [])
    assert done.exit_code == EXIT_OK


def test_a_held_back_la_is_reported_with_its_reason_and_last_good_figures_and_exits_1(published):
    """X2's referrals now carry unknown codes: 2 of its 4 rows are quarantined, over the 5% threshold, so
    X2 is held back (its 2024-03-31 figures stay) while X1 publishes its 2024-04-30 extract."""
    inbox, warehouse = published
    before = indicator_values(warehouse, "X2")
    bad = [dict(r, referral_source="ZZ") if i < 2 else r for i, r in enumerate(REFERRALS)]
    write_base(inbox, extract_date="2024-04-30", X2={"referrals": bad})
    said = []
    done = refresh(inbox, warehouse, say=said.append)
    assert said[1:] == ["X1: refresh: extract changed", "X2: refresh: extract changed"]
    assert done.succeeded and done.published and done.blocked == [] and done.failed_steps == []
    x1, x2 = done.las
    assert (x1.la_code, x1.status, x1.reason, str(x1.extract_date)) == ("X1", "published", None, "2024-04-30")
    assert (x2.la_code, x2.status, str(x2.extract_date)) == ("X2", "held_back", "2024-04-30")
    assert "referrals: quarantine_share failed: 2 of 4 rows quarantined" in x2.reason
    assert x2.indicator_values == before > 0  # the last good figures
    assert x1.indicator_values == indicator_values(warehouse, "X1") > 0
    assert done.exit_code == EXIT_HELD_BACK


def test_a_failing_blocking_check_publishes_nothing_and_exits_1(published, tmp_path):
    """An expectation no indicator table meets (a whole-table failure: the build is wrong) fails the
    blocking indicator check with ERROR: publish never runs and the previous file stays byte for byte."""
    inbox, warehouse = published
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    suite = json.loads((suites / "indicator_values.json").read_text())
    suite["expectations"].append({"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0},
                                  "meta": {"rule": "test_impossible", "severity": "error"}, "severity": "critical"})
    (suites / "indicator_values.json").write_text(json.dumps(suite))
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    done = outcome(run_refresh(inbox, warehouse, la_codes=list(LAS), expectations_dir=str(suites)), warehouse)
    assert not done.succeeded and not done.published and done.las == []
    [blocked] = done.blocked
    assert isinstance(blocked, BlockedCheck) and blocked.check == INDICATOR_CHECK
    assert blocked.asset == "fct_indicator_values" or blocked.asset.endswith("/fct_indicator_values")
    assert [f["rule"] for f in blocked.failures] == ["test_impossible"]
    assert done.exit_code == EXIT_HELD_BACK
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest


def test_a_step_failing_before_publish_exits_2(published, tmp_path):
    """dbt's log cannot be written (its folder is missing): the dbt step fails, nothing is blocked or published."""
    inbox, warehouse = published
    done = outcome(run_refresh(inbox, warehouse, la_codes=["X1"], dbt_log=str(tmp_path / "missing" / "dbt.log")),
                   warehouse)
    assert not done.succeeded and not done.published and done.blocked == [] and done.las == []
    assert [step for step, _ in done.failed_steps] == ["warehouse_dbt_assets"]
    assert done.exit_code == EXIT_USAGE


def test_a_step_failing_after_publish_reports_the_publication_and_exits_2(published):
    """Postgres is unreachable (nothing listens on port 1): X1 is published into DuckDB, then the push fails."""
    inbox, warehouse = published
    done = refresh(inbox, warehouse, force=["X1"], postgres_url="postgresql://pipeline@127.0.0.1:1/none",
                   say=lambda line: None)
    assert [p.la_code for p in done.planned if p.run] == ["X1"]
    assert not done.succeeded and done.published and done.blocked == []
    assert [(la.la_code, la.status) for la in done.las] == [("X1", "published")]
    [(step, error)] = done.failed_steps
    assert step == "postgres_published" and "the DuckDB warehouse was published" in error
    assert done.exit_code == EXIT_USAGE

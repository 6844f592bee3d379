"""Shared fixtures, and how the suite is spread over pytest-xdist workers (`make test` runs
`pytest -n 2 --dist loadfile`, pyproject.toml).

A test module runs whole on one worker (loadfile), so its module-scoped fixture (most are a real
refresh, about a minute) is built once. Modules are handed out longest first (SERIAL_SECONDS), so
the long refresh sequences start at once on both workers and the short modules fill in at the end.
The one fixture several modules share, a first publication of the gate's two-LA extract, is built
once per run for every worker (built_once). Everything a test writes goes under its worker's own
tmp_path; refreshes give dbt a target folder of their own (dagster-dbt), and the tests that run dbt
directly pass theirs, so nothing rewrites dbt_project/target/manifest.json while a worker reads it.
"""

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

# seconds each module takes in a serial run (setup included, 2 cores): only the order they give
# matters (longest first); a module not listed counts as short and keeps its place
SERIAL_SECONDS = {
    "tests/incremental/test_incremental.py": 620,
    "tests/quality/test_crash_safety.py": 390,
    "tests/spark/test_engines.py": 280,
    "tests/postgres/test_postgres_publish.py": 230,
    "tests/report/test_report.py": 215,
    "tests/bad_inputs/test_bad_inputs.py": 150,
    "tests/bad_inputs/test_console_faults.py": 180,
    "tests/generate/test_bench.py": 140,
    "tests/bad_inputs/test_refresh_lock.py": 137,
    "tests/dbt/test_indicator_catalogue.py": 130,
    "tests/quality/test_publish_gate.py": 130,
    "tests/quality/test_dashboard_privacy.py": 130,
    "tests/defs/test_refresh.py": 100,
    "tests/defs/test_refresh_outcome.py": 180,
    "tests/load/adapters/test_ssda903_xml.py": 90,
    "tests/load/adapters/test_statutory_refresh.py": 70,
    "tests/generate/test_ssda903_format.py": 110,
    "tests/dbt/test_disclosure_control.py": 70,
    "tests/defs/test_run_queue.py": 180,
    "tests/postgres/test_production_instance.py": 90,
    "tests/report/test_report_files.py": 150,
    "tests/bad_inputs/test_scale_edges.py": 90,
    "tests/notices/test_notices.py": 200,
    "tests/bad_inputs/test_xlsx_memory.py": 35,
}


def pytest_collection_modifyitems(config, items):
    """Longest modules first (a stable sort: collection order otherwise, and within a module)."""
    root = Path(str(config.rootpath))
    items.sort(key=lambda item: -SERIAL_SECONDS.get(Path(str(item.path)).relative_to(root).as_posix(), 0))


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture(autouse=True, scope="session")
def _ephemeral_dagster():
    """Tests record their runs in ephemeral Dagster instances (or a DAGSTER_HOME of their own), never
    in the one `make` exports for the UI. The dbt processes tests start send no usage statistics, so
    they neither reach for the network nor race each other to create dbt_project/.user.yml."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DAGSTER_HOME", raising=False)
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        yield


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once per test run and every xdist worker then reads (never writes):
    under the run's shared temp folder, built by whichever worker asks first while the other waits on a
    file lock. Without xdist it is an ordinary temp folder of this process."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        root = tmp_path_factory.mktemp(name)
        build(root)
        return root
    root = tmp_path_factory.getbasetemp().parent / name  # the run's folder, above each worker's own
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or if the worker dies
        if not (root / ".built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed part-way starts again
            root.mkdir()
            build(root)
            (root / ".built").touch()
    return root


def _first_publication_of(root: Path) -> None:
    from pipeline.defs.refresh import run_refresh
    from tests.quality.extracts import write_base

    write_base(root / "inbox")
    assert run_refresh(root / "inbox", root / "warehouse.duckdb").success


@pytest.fixture(scope="session")
def first_publication_source(tmp_path_factory) -> Path:
    """One first publication of the gate's two-LA extract (tests/quality/extracts.py; a refresh costs about a
    minute), shared by the gate's and the Postgres tests: root/inbox, root/warehouse.duckdb. Read only:
    each module works on its own copy."""
    return built_once(tmp_path_factory, "first_publication", _first_publication_of)

"""A throwaway Postgres cluster on a loopback port (Debian's postgresql-15; `make postgres` installs it)
and one DuckDB publication of two LAs to push into it (the gate's, tests/conftest.py)."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PIPELINE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses root: run the server tools as the `postgres` user when we are root (as in CI)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the superuser `postgres` (trust auth on loopback only) of a fresh cluster, stopped afterwards."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"no PostgreSQL server in {PG_BIN}: run `make postgres` (installs Debian's postgresql-15)")
    root = Path(tempfile.mkdtemp(prefix="pipeline-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                 "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    # the port is free when asked for, but another process (a parallel test run) may take it before the
    # server binds it: then the server does not start, and it tries again on another free port
    for _ in range(5):
        port = _free_port()
        started = subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l",
                                               str(root / "server.log"), "-o",
                                               f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
                                               "start"]), capture_output=True, text=True)
        if started.returncode == 0:
            break
    else:
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        pytest.fail(f"the test cluster did not start: {started.stdout}{started.stderr}{log[-2000:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def warehouse(first_publication_source, tmp_path_factory) -> Path:
    """A published DuckDB warehouse of two LAs (tests/quality/extracts.py), a copy of the gate's."""
    root = tmp_path_factory.mktemp("pg_publication")
    shutil.copy(first_publication_source / "warehouse.duckdb", root / "warehouse.duckdb")
    return root / "warehouse.duckdb"

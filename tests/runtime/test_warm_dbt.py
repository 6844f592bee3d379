"""pipeline-dbt hands its dbt invocation to the warm process a refresh started (pipeline/runtime/dbt_child.py):
with its arguments, environment, folder and streams; it falls back to running dbt itself; and the warm
process stops when pipeline-dbt is killed, as dbt itself would have."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pipeline.runtime import dbt_child
from tests.dbt.dbt_cli import PROJECT_DIR

PIPELINE_DBT = str(Path(sys.executable).parent / "pipeline-dbt")


@pytest.fixture
def warm():
    path = dbt_child.start_warm()
    deadline = time.monotonic() + 60
    while not os.path.exists(path) and time.monotonic() < deadline:  # listening: as long before dbt as a refresh's loads
        time.sleep(0.01)
    yield dbt_child._warm[0], path
    dbt_child._warm[0].kill()
    dbt_child._warm[0].wait()


def _pipeline_dbt(args: list[str], socket: str, cwd: Path, **env) -> subprocess.Popen:
    environment = {**os.environ, "PIPELINE_REFRESH_PID": str(os.getpid()), dbt_child.WARM_ENV: socket, **env}
    return subprocess.Popen([PIPELINE_DBT, *args], cwd=cwd, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _ls(tmp_path: Path) -> list[str]:
    return ["ls", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--select", "stg_children", "--resource-type", "model",
            "--output", "path", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]


def test_the_warm_process_runs_dbt_with_the_callers_arguments_environment_and_folder(warm, tmp_path):
    process, socket = warm
    build = tmp_path / "build"
    build.mkdir()
    client = _pipeline_dbt(_ls(tmp_path), socket, tmp_path, PIPELINE_BUILD_DIR=str(build),
                           PIPELINE_BUILD_DB="build.duckdb")
    out, err = client.communicate(timeout=120)
    assert client.returncode == 0, err
    assert out.strip().splitlines()[-1] == "models/staging/stg_children.sql"  # its output reached the caller
    assert process.wait(timeout=30) == 0  # the warm process ran it (it serves one invocation, then ends)
    assert not os.path.exists(socket)
    # dbt's log went where the caller's arguments said, from the folder pipeline-dbt moved to
    assert (tmp_path / "logs").is_dir() and not (build / "logs").exists()


def test_its_exit_status_is_the_callers(warm, tmp_path):
    process, socket = warm
    client = _pipeline_dbt(["ls", "--project-dir", str(tmp_path / "no project")], socket, tmp_path)
    client.communicate(timeout=120)
    assert client.returncode == 2  # dbt's status for a usage error
    # the warm process served it (the fallback would leave it listening): it took the socket and ended
    assert process.wait(timeout=30) == 0 and not os.path.exists(socket)


def _parse(tmp_path: Path) -> list[str]:
    """A dbt invocation long enough to be stopped half-way (a second or more of parsing)."""
    return ["parse", "--no-partial-parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]


def _handed_over(socket: str) -> None:
    deadline = time.monotonic() + 60
    while os.path.exists(socket) and time.monotonic() < deadline:  # until the warm process took it
        time.sleep(0.01)
    assert not os.path.exists(socket)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_pipeline_dbt_reaches_the_dbt_it_handed_over(warm, tmp_path, sig):
    """dagster-dbt stops dbt with SIGINT, then SIGTERM: sent to pipeline-dbt, each is passed on to the dbt
    the warm process runs, which stops; pipeline-dbt then exits with a failure status."""
    process, socket = warm
    client = _pipeline_dbt(_parse(tmp_path), socket, tmp_path)
    _handed_over(socket)
    time.sleep(0.5)  # dbt has started parsing
    client.send_signal(sig)
    client.communicate(timeout=60)
    # dbt got the signal itself (not stopped as abandoned, exit 1), and pipeline-dbt outlived it to report
    # a failure (not killed by the signal as an ordinary process would be)
    # pipeline-dbt outlived the signal to report dbt's failure (an ordinary process would die of it), and
    # dbt stopped on the signal itself: not as abandoned (exit 1, _stop_if_abandoned)
    assert client.returncode > 0 and process.wait(timeout=30) != 1, client.returncode
    assert not (tmp_path / "target" / "manifest.json").exists()  # stopped before dbt finished its work


def test_without_a_warm_process_pipeline_dbt_runs_dbt_itself(tmp_path):
    client = _pipeline_dbt(_ls(tmp_path), str(tmp_path / "no-socket"), tmp_path)
    out, err = client.communicate(timeout=120)
    assert client.returncode == 0, err
    assert out.strip().splitlines()[-1] == "models/staging/stg_children.sql"


def test_killing_pipeline_dbt_stops_the_dbt_it_handed_over(warm, tmp_path):
    process, socket = warm
    client = _pipeline_dbt(_parse(tmp_path), socket, tmp_path)
    _handed_over(socket)
    client.kill()
    client.wait()
    assert process.wait(timeout=30) == 1  # stopped, not left to finish dbt's work
    assert not (tmp_path / "target" / "manifest.json").exists()


def test_a_refresh_stopped_during_the_warm_up_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    """The warm process parses the project before it listens (_warm_up). A refresh stopped then kills it
    (_discard_warm, as a stop signal while the entities load does), and its scratch folder must go too."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # this process's and the warm process's temporary folder
    monkeypatch.setattr(tempfile, "tempdir", None)  # read again from TMPDIR
    dbt_child.start_warm()
    deadline = time.monotonic() + 60
    while not list(tmp_path.rglob("*warm-up-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(tmp_path.rglob("*warm-up-*")), "the warm-up did not start"
    dbt_child._discard_warm()
    assert list(tmp_path.iterdir()) == []

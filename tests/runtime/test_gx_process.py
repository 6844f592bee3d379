"""The GX process (pipeline/runtime/gx_process.py): the gates' validations run there, as they would
in the refresh's own process; its errors and its death reach the caller; it never outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline.quality import gx_runner
from pipeline.runtime import gx_process
from pipeline.quality.suites import frame_suite
from tests.quality.test_gx_suites import GOOD_PLANS, PARAMS, PLAN_HELPERS, rows_frame


def _rows_suite():
    return frame_suite(gx_runner.load_suite("cp_plans"), "rows")


def test_a_validation_there_equals_one_here():
    bad = [{**plan, "initial_category": "ZZ"} for plan in GOOD_PLANS]
    frame = rows_frame("cp_plans", bad, PLAN_HELPERS)
    kwargs = {"parameters": PARAMS, "index_columns": ["la_code", "_source_row"]}
    there = gx_process.run_suite(_rows_suite(), frame, **kwargs)
    assert not there.success and there.failures  # the unknown category fails, with its rows
    assert there == gx_runner.run_suite(_rows_suite(), frame, **kwargs)


def test_requests_in_flight_with_large_replies_all_return_in_order():
    # every row fails, with its index values in the reply (result format COMPLETE): replies of MBs,
    # more than a pipe holds, while later requests are still being written
    bad = [{**GOOD_PLANS[0], "initial_category": "ZZ"}] * 20_000
    frame = rows_frame("cp_plans", bad, PLAN_HELPERS)
    futures = [gx_process.submit("run_suite", _rows_suite(), frame, parameters=PARAMS,
                                 index_columns=["la_code", "_source_row"], run_name=f"run {i}") for i in range(3)]
    outcomes = [f.result(timeout=120) for f in futures]
    assert all(len(o.failures[0].unexpected_rows) == 20_000 for o in outcomes)


def test_an_error_there_is_raised_here_with_its_traceback():
    frame = rows_frame("cp_plans", GOOD_PLANS, PLAN_HELPERS)
    with pytest.raises(Exception, match="without a dataframe") as raised:
        gx_process.run_suite(_rows_suite(), "not a frame")
    assert any("in the Great Expectations process" in note for note in getattr(raised.value, "__notes__", []))
    assert gx_process.run_suite(_rows_suite(), frame, parameters=PARAMS).success  # and the process still serves


def test_its_death_fails_the_waiting_request_and_the_next_one_starts_it_again():
    gx_process.start()
    process = gx_process._process.popen
    frame = rows_frame("cp_plans", GOOD_PLANS, PLAN_HELPERS)
    process.send_signal(signal.SIGSTOP)  # stopped, it cannot reply before the kill, however fast it is
    waiting = gx_process.submit("run_suite", _rows_suite(), frame, parameters=PARAMS)
    process.kill()
    with pytest.raises(RuntimeError) as raised:
        waiting.result(timeout=60)
    assert "the Great Expectations process exited" in str(raised.value) and "run_suite" in str(raised.value)
    assert gx_process.run_suite(_rows_suite(), frame, parameters=PARAMS).success
    assert gx_process._process.popen.pid != process.pid


def test_it_exits_with_the_process_that_started_it(tmp_path):
    pid_file = tmp_path / "pid"
    parent = subprocess.run(
        [sys.executable, "-c", "import sys; from pipeline.runtime import gx_process; gx_process.start(); "
                               "open(sys.argv[1], 'w').write(str(gx_process._process.popen.pid)); "
                               "import os; os._exit(0)",  # no clean-up of any kind: as if killed
         str(pid_file)], env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=60)
    assert parent.returncode == 0
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 60  # it notices once GX is imported and it reads its pipe
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.2)
    assert not _running(pid), "the GX process outlived the process that started it"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False

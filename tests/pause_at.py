"""`python -m tests.pause_at STAGE ARGS...` is `pipeline ARGS...` in a process that stops at STAGE:
when the refresh or push gets there it prints "[pause] STAGE" and waits to be killed.

The package raises the audit event pipeline.publish.STAGE_EVENT at the stages where a kill matters
(load:landing, load:landed, publish:copying, publish:renaming, postgres:copying); with PAUSE_IN_QUERY=1 in the
environment it waits inside a DuckDB query (one thread), where a Ctrl-C becomes DuckDB's "Query
interrupted" error rather than a KeyboardInterrupt; the hook that waits there is installed here,
in the test's own process, so the package ships no crash-test code. The refresh must run in this
process for that (it does: Dagster's in-process executor)."""

import os
import sys
import time


def pipeline_command(*args: str, pause_at: str = "") -> list[str]:
    """The command line of `pipeline ARGS` (unbuffered output), stopping at `pause_at` when given;
    run it with cwd=PROJECT_DIR, so that `tests` is found."""
    if not pause_at:
        return [sys.executable, "-u", "-m", "pipeline.cli", *args]
    return [sys.executable, "-u", "-m", "tests.pause_at", pause_at, *args]


def _wait_at(stage: str):
    from pipeline.publish import STAGE_EVENT

    def hook(event: str, args: tuple) -> None:
        if event == STAGE_EVENT and args == (stage,):
            print(f"[pause] {stage}", flush=True)
            if os.environ.get("PAUSE_IN_QUERY"):
                import duckdb

                con = duckdb.connect(config={"threads": 1})
                con.execute("pragma disable_progress_bar")
                con.execute("select count(*) from range(1000000000000000000)").fetchall()
            while True:
                time.sleep(60)

    return hook


if __name__ == "__main__":
    from pipeline.cli import main

    sys.addaudithook(_wait_at(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))

"""`pipeline-dbt`: dbt, run as a child that dies with the refresh that started it.

dagster-dbt starts dbt as a subprocess. If the refresh is killed outright (SIGKILL, the OOM killer)
an ordinary child would run on, orphaned, still writing the build warehouse. Before handing over
to dbt this asks Linux to SIGKILL it when its parent dies (PR_SET_PDEATHSIG), and exits at once if
the parent named in PIPELINE_REFRESH_PID is already gone.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = os.environ.get("PIPELINE_REFRESH_PID")
    if parent and os.getppid() != int(parent):  # the refresh died before the line above took effect
        sys.exit(1)
    # the build warehouse's folder: the profile opens the warehouse by its file name (pipeline/paths.py)
    if build_dir := os.environ.get("PIPELINE_BUILD_DIR"):
        if "DBT_LOG_PATH" in os.environ:  # dagster-dbt's is relative to where dbt was started
            os.environ["DBT_LOG_PATH"] = os.path.abspath(os.environ["DBT_LOG_PATH"])
        os.chdir(build_dir)
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()

"""dbt run in a subprocess, as the tests of single models and macros run it: its DuckDB connection
is closed before a test opens the file, and it writes its own target and log folders (other dbt
runs share the project's target/)."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def run_dbt(db_path: Path, work_dir: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "PIPELINE_BUILD_DB": str(db_path)}
    # own target/log paths: other dbt runs share the project's target/ directory
    cmd = [
        sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
        "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
    ]
    done = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 or not check, f"dbt {' '.join(args[:1])} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout

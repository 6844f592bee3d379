"""Where the project's files live, resolved from the package so commands work from any directory."""

import os
from functools import cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
SEEDS_DIR = PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
INSTANCE_CONFIG = PROJECT_DIR / "dagster.yaml"  # the Dagster instance: run queue of one (make ui)
SPECS_DIR = Path(__file__).resolve().parent / "specs"
DEFAULT_INBOX = PROJECT_DIR / "data" / "inbox"
DEFAULT_WAREHOUSE = PROJECT_DIR / "data" / "warehouse.duckdb"


# Every build warehouse has this file name, in a folder of its own, and dbt is started in that folder
# (pipeline/runtime/dbt_child.py): the dbt profile then reads the same for every warehouse, so dbt reuses the
# project's prebuilt parse (make setup) instead of parsing the whole project again (about 2.5 s)
BUILD_DB_NAME = "build.duckdb"


def package_environment(**extra: str) -> dict[str, str]:
    """The environment for a `python -m pipeline.<module>` process this one starts: PROJECT_DIR first on
    its PYTHONPATH, so that it imports this copy of the package, not another one installed."""
    path = os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def build_path_for(warehouse: Path) -> Path:
    """The staging (build) warehouse that a refresh writes and audits before publishing."""
    return warehouse.with_name(warehouse.stem + ".build") / BUILD_DB_NAME


def audit_path_for(warehouse: Path) -> Path:
    """The restricted audit file beside the published warehouse: the child-level audit.quarantine, kept out of
    the file dashboards are given (docs/warehouse.md)."""
    return warehouse.with_name(warehouse.stem + ".audit.duckdb")


def dbt_target_path(warehouse: Path) -> Path:
    """dbt's target folder of the latest build (compiled SQL, artifacts), kept beside the build warehouse."""
    return build_path_for(warehouse).parent / "dbt_target"


def dbt_run_results_path(warehouse: Path) -> Path:
    """dbt's run_results.json of the latest refresh's build: every model, seed and test with its status."""
    return warehouse.with_name(warehouse.stem + ".dbt_run_results.json")


@cache
def history_months() -> int:
    """Complete months reported back from the extract date: the dbt var, the one place it is set."""
    import yaml

    return int(yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["history_months"])

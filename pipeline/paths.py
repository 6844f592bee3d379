"""Where the project's files live, resolved from the package so commands work from any directory."""

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


def build_path_for(warehouse: Path) -> Path:
    """The staging (build) warehouse that a refresh writes and audits before publishing."""
    return warehouse.with_name(warehouse.stem + ".build.duckdb")


def dbt_run_results_path(warehouse: Path) -> Path:
    """dbt's run_results.json of the latest refresh's build: every model, seed and test with its status."""
    return warehouse.with_name(warehouse.stem + ".dbt_run_results.json")


def dbt_parse_cache_path(warehouse: Path) -> Path:
    """dbt's partial-parse file from the latest build of this warehouse. dbt re-parses the whole project
    (about 6 s) when the profile differs from the one it parsed with, and the profile names the build
    warehouse: the prebuilt manifest's never matches, the previous refresh's of the same warehouse does."""
    return warehouse.with_name(warehouse.stem + ".dbt_partial_parse.msgpack")


@cache
def history_months() -> int:
    """Complete months reported back from the extract date: the dbt var, the one place it is set."""
    import yaml

    return int(yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["history_months"])

"""Where the project's files live, resolved from the package so commands work from any directory."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
SEEDS_DIR = PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
SPECS_DIR = Path(__file__).resolve().parent / "specs"
DEFAULT_INBOX = PROJECT_DIR / "data" / "inbox"
DEFAULT_WAREHOUSE = PROJECT_DIR / "data" / "warehouse.duckdb"


def build_path_for(warehouse: Path) -> Path:
    """The staging (build) warehouse that a refresh writes and audits before publishing."""
    return warehouse.with_name(warehouse.stem + ".build.duckdb")

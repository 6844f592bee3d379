"""Resources in one place: where the inbox and warehouses are, the build DuckDB, and dbt."""

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource
from packaging import version

from pipeline.paths import DBT_PROJECT_DIR, DEFAULT_INBOX, DEFAULT_WAREHOUSE, EXPECTATIONS_DIR, build_path_for
from pipeline.state import GATE_DEFAULTS, reference_fingerprint

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DUCKDB_MEMORY_LIMIT = "2GB"  # also the fallback in dbt_project/profiles.yml, for dbt run by hand


class RefreshSettings(dg.ConfigurableResource):
    """What one refresh reads and writes. Defaults: the bundled synthetic inbox and data/warehouse.duckdb."""

    inbox_dir: str = str(DEFAULT_INBOX)
    warehouse_path: str = str(DEFAULT_WAREHOUSE)
    # extracts.md: the share of quarantined rows in any entity must stay under this (dataset rule)
    max_quarantine_share: float = GATE_DEFAULTS["max_quarantine_share"]
    # extracts.md: CP plans / CLA episodes overlapping another of the same child, as a share of the rows
    max_overlap_share: float = GATE_DEFAULTS["max_overlap_share"]
    # month-on-month warnings: rows per month of an entity, and each indicator's monthly value,
    # changing by more than this factor (up or down) on the month before (pipeline/quality/suites.py)
    volume_change_factor: float = GATE_DEFAULTS["volume_change_factor"]
    indicator_change_factor: float = GATE_DEFAULTS["indicator_change_factor"]
    expectations_dir: str = str(EXPECTATIONS_DIR)
    # where dbt's own output goes; empty: the run's stdout (the Dagster UI shows it per step)
    dbt_log: str = ""
    # Postgres to publish into as well (pipeline/postgres.py); empty: DuckDB only
    postgres_url: str = ""
    # what builds the dbt project: duckdb (in the build warehouse) or spark (a local PySpark
    # session, pipeline/runtime/spark_handoff.py); load, gate and publish are the same either way
    engine: str = "duckdb"
    # DuckDB's memory limit in the build warehouse, for the loads and the gate here and for dbt's
    # connection: beyond it DuckDB spills to disk, which keeps a national refresh under 4 GB
    duckdb_memory_limit: str = DUCKDB_MEMORY_LIMIT

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def expectations(self) -> Path:
        return Path(self.expectations_dir)

    @property
    def reference_fingerprint(self) -> str:
        """pipeline.state.reference_fingerprint of this refresh's expectations and thresholds."""
        return reference_fingerprint(self.expectations, **{k: getattr(self, k) for k in GATE_DEFAULTS})

    @property
    def build_db(self) -> Path:
        return build_path_for(self.warehouse)


class WarehouseDbt(DbtCliResource):
    """dbt as the refresh runs it."""

    def _initialize_dbt_core_adapter(self, args):
        # dagster-dbt builds an in-process dbt adapter before each invocation (about 3 s of every
        # refresh) only to fetch column metadata and row counts, which this project does not ask for
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        # dagster-dbt runs `dbt --version` (a second dbt start-up, about 1.5 s) on every invocation to
        # learn the version; the executable is pipeline-dbt, which runs the dbt-core installed here
        return version.parse(importlib.metadata.version("dbt-core"))


def build_resources(inbox: Path | None = None, warehouse: Path | None = None, **settings) -> dict:
    """Resources for one inbox and warehouse; `settings` overrides RefreshSettings fields (thresholds, suites)."""
    inbox = Path(inbox or os.environ.get("PIPELINE_INBOX") or DEFAULT_INBOX).resolve()
    warehouse = Path(warehouse or os.environ.get("PIPELINE_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()
    settings.setdefault("postgres_url", os.environ.get("PIPELINE_POSTGRES_URL", ""))
    settings.setdefault("duckdb_memory_limit", os.environ.get("PIPELINE_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT))
    refresh = RefreshSettings(inbox_dir=str(inbox), warehouse_path=str(warehouse), **settings)
    return {
        "settings": refresh,
        "build_db": DuckDBResource(database=str(build_path_for(warehouse)),
                                   connection_config={"memory_limit": refresh.duckdb_memory_limit}),
        "dbt": WarehouseDbt(
            project_dir=dbt_project,
            profiles_dir=str(DBT_PROJECT_DIR),
            # the dbt installed beside this interpreter, whether or not the venv is on PATH, wrapped so
            # that it dies with the refresh (pipeline/runtime/dbt_child.py)
            dbt_executable=str(Path(sys.executable).parent / "pipeline-dbt"),
        ),
    }

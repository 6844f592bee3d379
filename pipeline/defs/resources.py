"""Resources in one place: where the inbox and warehouses are, the build DuckDB, and dbt."""

import sys
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipeline.defs.dbt_integration import DbtCliResource, DbtProject
from pipeline.paths import DBT_PROJECT_DIR, DEFAULT_INBOX, DEFAULT_WAREHOUSE, EXPECTATIONS_DIR, build_path_for
from pipeline.runtime.spark_handoff import Engine
from pipeline.settings import Settings, settings as environment
from pipeline.state import GATE_DEFAULTS, reference_fingerprint

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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
    # what builds the dbt project: duckdb (in the build warehouse) or spark (a local PySpark
    # session, pipeline/runtime/spark_handoff.py); load, gate and publish are the same either way.
    # Any other value fails when the resource is configured (run config included), before a run starts
    engine: Engine = "duckdb"
    # DuckDB's memory limit in the build warehouse, for the loads and the gate here and for dbt's
    # connection: beyond it DuckDB spills to disk, which keeps a national refresh under 4 GB
    duckdb_memory_limit: str = Settings.model_fields["duckdb_memory_limit"].default

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
    """dbt as the refresh runs it.

    The one override of a private dagster-dbt method, because dagster-dbt 0.29 has no public way to
    avoid it: DbtCliResource.cli builds an in-process dbt adapter before every invocation whenever
    dbt-core is older than 2 (`if self._cli_version.major < 2: adapter = self._initialize_dbt_core_adapter(args)`),
    about 3 s of every refresh, and neither cli() nor the resource has a parameter to skip it. The
    adapter serves only DbtEventIterator.fetch_column_metadata and fetch_row_counts, which this project
    never calls (the column schemas and lineage are computed once per manifest instead, by make manifest,
    and attached to the asset definitions: pipeline/column_lineage.py, pipeline/defs/assets/dbt.py);
    without an adapter (None, as dagster-dbt passes for dbt Fusion) the invocation runs the same. tests/defs/test_resources.py fails if dagster-dbt renames the method (the 3 s would come back
    silently) or if this class overrides any other private name.

    dagster-dbt also runs `<dbt_executable> --version` on every invocation to learn dbt's version: that
    is public (dbt_executable), so pipeline-dbt answers it itself from the installed dbt-core, in a
    tenth of a second, without starting dbt (pipeline/runtime/dbt_child.py)."""

    def _initialize_dbt_core_adapter(self, args):
        return None


def build_resources(inbox: Path | None = None, warehouse: Path | None = None, postgres_url: str | None = None,
                    **settings) -> dict:
    """Resources for one inbox and warehouse; `settings` overrides RefreshSettings fields (thresholds, suites).
    `postgres_url` None: $PIPELINE_POSTGRES_URL, if set; empty: DuckDB only."""
    env = environment()
    inbox = Path(inbox or env.inbox).resolve()
    warehouse = Path(warehouse or env.warehouse).resolve()
    if postgres_url is None:
        postgres_url = env.postgres_url.get_secret_value() if env.postgres_url else ""
    settings.setdefault("duckdb_memory_limit", env.duckdb_memory_limit)
    refresh = RefreshSettings(inbox_dir=str(inbox), warehouse_path=str(warehouse), **settings)
    return {
        "settings": refresh,
        # Postgres to publish into as well (pipeline/postgres.py): a plain value, held in memory only. As a
        # RefreshSettings field it was config, which Dagster stores with every run and the UI shows,
        # password included
        "postgres_url": postgres_url,
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

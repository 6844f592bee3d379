"""The Spark engine of a refresh (`pipeline refresh --engine spark`, README "Running on Spark").

Load and gate stay in DuckDB. The raw tables go to Spark as Parquet, dbt builds the same project
with its `spark` target (a local PySpark session, profiles.yml), and every table Spark built comes
back into the build DuckDB, so the indicator gate and publish read the same tables whichever
engine built them.
"""

import os
import shutil
from pathlib import Path
from typing import Literal, get_args

from pipeline.errors import UsageError

# duckdb and dbt are imported where used: the CLI reads ENGINES before parsing its arguments
Engine = Literal["duckdb", "spark"]  # what builds the dbt project (RefreshSettings.engine)
ENGINES: tuple[str, ...] = get_args(Engine)


def workdir_for(build_db: Path) -> Path:
    """Spark's folder beside the build warehouse: raw/ (the hand-off) and warehouse/ (what dbt builds)."""
    return build_db.with_name(build_db.stem + ".spark")


def export_raw(build_db: Path, workdir: Path) -> list[str]:
    """Write every raw table to <workdir>/raw/<table>/ as Parquet, starting from an empty workdir."""
    import duckdb

    shutil.rmtree(workdir, ignore_errors=True)
    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        for table in tables:
            folder = workdir / "raw" / table
            folder.mkdir(parents=True)
            con.execute(f"copy raw.{table} to '{_sql_path(folder / 'part-0.parquet')}' (format parquet)")
    return tables


def dbt_environment(workdir: Path) -> dict[str, str]:
    """What the spark profile and macros/prepare_session.sql read: the profile has no fallbacks, the
    settings (pipeline/settings.py) are stated once. The salt (pipeline/pseudonyms.py) reaches the Spark
    driver's environment only, never SQL text."""
    from pipeline.pseudonyms import pseudonym_salt
    from pipeline.settings import settings, variable

    spark = settings()
    return {
        "PIPELINE_SPARK_DIR": str(workdir),
        "PIPELINE_SPARK_RAW_DIR": str(workdir / "raw"),
        variable("pseudonym_salt"): pseudonym_salt(),
        **{variable(name): str(getattr(spark, name))
           for name in ("spark_cores", "spark_shuffle_partitions", "spark_driver_memory")},
    }


def import_built(build_db: Path, workdir: Path) -> list[str]:
    """Replace each table of the build DuckDB with the one Spark built (<schema>.db/<table>/ Parquet)."""
    import duckdb

    imported = []
    with duckdb.connect(str(build_db)) as con:
        for schema_dir in sorted((workdir / "warehouse").glob("*.db")):
            schema = schema_dir.name.removesuffix(".db")
            con.execute(f"create schema if not exists {schema}")
            for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
                con.execute(f"create or replace table {schema}.{table_dir.name} as "
                            f"select * from read_parquet('{_sql_path(table_dir / '*.parquet')}')")
                imported.append(f"{schema}.{table_dir.name}")
    return imported


def java_available() -> bool:
    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


def require_engine(engine: str) -> None:
    """The Spark engine needs the `spark` extra and a JVM: UsageError saying so before anything is loaded."""
    if engine != "spark":
        return
    import importlib.util

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        raise UsageError("--engine spark needs the spark extra: pip install -e '.[spark]' (make setup installs it)")
    if not java_available():
        raise UsageError("--engine spark needs Java 17: apt-get install openjdk-17-jre-headless (as root: make java)")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")

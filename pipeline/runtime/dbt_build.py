"""Everything around the refresh's `dbt build` but the invocation itself, as one context manager:

    with prepared_build(...) as build:
        yield from dbt.cli(build.args, context=context, target_path=build.target_path).stream()

Before: the engine's hand-off (Spark: the raw tables as Parquet), the environment dbt's subprocess
inherits, the Data Docs rendering started beside the build, dbt's output redirected to the log file.
After: the warm dbt process waited for, run_results kept beside the warehouse, the Data Docs awaited
and (Spark) the built tables copied into the build warehouse. A failed build raises RuntimeError
naming its error, the log and the compiled SQL. The caller's os.environ is as it was afterwards.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dagster_dbt import DagsterDbtCliRuntimeError

from pipeline.paths import dbt_run_results_path, dbt_target_path
from pipeline.progress import progress
from pipeline.runtime import dbt_child, gx_process, spark_handoff
from pipeline.runtime.environment import environment
from pipeline.settings import variable


@dataclass(frozen=True)
class DbtBuild:
    args: list[str]  # dbt's command line
    # the invocation's target folder (compiled SQL, artifacts: 12 MB): beside the build warehouse, one per
    # warehouse, replacing the previous build's, so nightly runs do not fill dbt_project/target
    target_path: Path


@contextlib.contextmanager
def prepared_build(build_db: Path, warehouse: Path, engine: spark_handoff.Engine, duckdb_memory_limit: str,
                   dbt_log: str = "") -> Iterator[DbtBuild]:
    # dbt unit tests are development checks of the SQL (make test runs them: tests/defs/test_refresh.py);
    # the data tests stay in every build, where they gate the publication
    args = ["build", "--exclude-resource-type", "unit_test"]
    target = dbt_target_path(warehouse)
    with contextlib.ExitStack() as stack:
        # dagster-dbt echoes every dbt line to stdout; the CLI keeps its own output to progress lines
        log = stack.enter_context(open(dbt_log, "w")) if dbt_log else None
        env = _dbt_environment(build_db, duckdb_memory_limit)
        if engine == "spark":
            workdir = spark_handoff.workdir_for(build_db)
            progress("dbt", f"handing {len(spark_handoff.export_raw(build_db, workdir))} raw tables to Spark as Parquet")
            env.update(spark_handoff.dbt_environment(workdir))
            args += ["--target", "spark"]
        stack.enter_context(environment(env))  # dagster-dbt hands dbt's subprocess a copy of os.environ
        shutil.rmtree(target, ignore_errors=True)  # dagster-dbt copies the prebuilt parse into it, then dbt writes it
        progress("dbt", f"building seeds, staging, intermediate and indicator models, running dbt data tests ({engine})")
        # the GX process renders the entity gates' Data Docs while dbt builds (it would otherwise render them
        # with the indicator gate, after the build); a failure to render fails this step after dbt's own
        docs = gx_process.submit("render_pending_docs") if gx_process.started() else None
        try:
            with contextlib.redirect_stdout(log) if log else contextlib.nullcontext():
                yield DbtBuild(args, target)
        except DagsterDbtCliRuntimeError as error:  # dbt failed (dagster-dbt raises it once dbt's output ended)
            _keep_run_results(target, warehouse)
            raise RuntimeError(f"dbt build failed: {error}" + (f" (full log: {dbt_log})" if dbt_log else "")
                               + f"; compiled SQL in {target}") from None
        _keep_run_results(target, warehouse)
        if docs is not None:
            docs.result()
    if engine == "spark":
        imported = spark_handoff.import_built(build_db, spark_handoff.workdir_for(build_db))
        progress("dbt", f"{len(imported)} tables Spark built copied into the build warehouse")
    progress("dbt", "done")


def _dbt_environment(build_db: Path, duckdb_memory_limit: str) -> dict[str, str]:
    # dbt starts in the build warehouse's folder and opens it by its file name (pipeline/runtime/dbt_child.py):
    # the profile then reads the same for every warehouse, and dbt reuses the project's prebuilt parse
    return {
        "PIPELINE_BUILD_DIR": str(build_db.parent),
        "PIPELINE_BUILD_DB": build_db.name,
        variable("duckdb_memory_limit"): duckdb_memory_limit,
        "PIPELINE_REFRESH_PID": str(os.getpid()),  # dbt exits with this process (pipeline/runtime/dbt_child.py)
        # the process raw_manifests started to import dbt, if it waits for this invocation
        dbt_child.WARM_ENV: dbt_child.warm_socket() or "",
        # dbt's debug log file repeats every event and query (7 MB, 0.7 s a build); its output, which the
        # Dagster UI shows per step and the dbt log keeps, has every node's outcome and error
        "DBT_LOG_LEVEL_FILE": "none",
    }


def _keep_run_results(target: Path, warehouse: Path) -> None:
    dbt_child.wait_warm()  # dbt's output ended; its process has let go of the build warehouse too
    # what dbt ran and how each ended, kept beside the warehouse (tests/defs/test_refresh.py checks every data
    # test of the manifest ran and passed)
    run_results = target / "run_results.json"
    if run_results.exists():
        shutil.copyfile(run_results, dbt_run_results_path(warehouse))

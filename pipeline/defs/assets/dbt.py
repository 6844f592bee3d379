"""Every dbt seed, model and test as Dagster assets and asset checks, through one translator."""

import contextlib
import os
import shutil
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipeline.runtime import dbt_child, spark_handoff
from pipeline.paths import dbt_run_results_path, dbt_target_path
from pipeline.progress import progress
from pipeline.runtime import gx_process
from pipeline.defs.resources import RefreshSettings, dbt_project


class WarehouseTranslator(DagsterDbtTranslator):
    """Keys are the model names (stg_/int_/fct_ say the layer); groups follow the dbt folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed"):
            return dg.AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)  # sources: meta.dagster.asset_key -> raw_<entity>

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator)
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: RefreshSettings):
    # dbt runs as a subprocess that inherits the environment. It starts in the build warehouse's folder
    # and opens it by its file name (pipeline/runtime/dbt_child.py): the profile then reads the same for every
    # warehouse, and dbt reuses the project's prebuilt parse
    os.environ["PIPELINE_BUILD_DIR"] = str(settings.build_db.parent)
    os.environ["PIPELINE_BUILD_DB"] = settings.build_db.name
    os.environ["PIPELINE_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    os.environ["PIPELINE_REFRESH_PID"] = str(os.getpid())  # dbt exits with this process (pipeline/runtime/dbt_child.py)
    # the process raw_manifests started to import dbt, if it waits for this invocation (pipeline/runtime/dbt_child.py)
    os.environ[dbt_child.WARM_ENV] = dbt_child.warm_socket() or ""
    # dbt's debug log file repeats every event and query (7 MB, 0.7 s a build); its output, which the
    # Dagster UI shows per step and settings.dbt_log keeps, has every node's outcome and error
    os.environ["DBT_LOG_LEVEL_FILE"] = "none"
    if settings.engine not in spark_handoff.ENGINES:
        raise ValueError(f"settings.engine must be one of {', '.join(spark_handoff.ENGINES)}, got {settings.engine!r}")
    # dbt unit tests are development checks of the SQL (make test runs them: tests/defs/test_refresh.py);
    # the data tests stay in every build, where they gate the publication
    args = ["build", "--exclude-resource-type", "unit_test"]
    if settings.engine == "spark":
        workdir = spark_handoff.workdir_for(settings.build_db)
        progress("dbt", f"handing {len(spark_handoff.export_raw(settings.build_db, workdir))} raw tables to Spark as Parquet")
        os.environ.update(spark_handoff.dbt_environment(workdir))
        args += ["--target", "spark"]
    progress("dbt", f"building seeds, staging, intermediate and indicator models, running dbt data tests ({settings.engine})")
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    # the GX process renders the entity gates' Data Docs while dbt builds (it would otherwise render them
    # with the indicator gate, after the build); a failure to render fails this step after dbt's own
    docs = gx_process.submit("render_pending_docs") if gx_process.started() else None
    if settings.dbt_log:
        # dagster-dbt echoes every dbt line to stdout; the CLI keeps its own output to progress lines
        with open(settings.dbt_log, "w") as log, contextlib.redirect_stdout(log):
            yield from invocation.stream()
    else:
        yield from invocation.stream()
    dbt_child.wait_warm()  # dbt's output ended; its process has let go of the build warehouse too
    # what dbt ran and how each ended, kept beside the warehouse (tests/defs/test_refresh.py checks every data
    # test of the manifest ran and passed); dagster-dbt gives each invocation its own target folder
    run_results = invocation.target_path / "run_results.json"
    if run_results.exists():
        shutil.copyfile(run_results, dbt_run_results_path(settings.warehouse))
    # that folder (compiled SQL, artifacts: 12 MB) replaces the previous build's beside the build warehouse,
    # for inspection: one per warehouse, so nightly runs do not fill dbt_project/target
    kept = dbt_target_path(settings.warehouse)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.move(invocation.target_path, kept)
    if not invocation.is_successful():
        raise RuntimeError(f"dbt build failed: {invocation.get_error() or 'see the dbt log'}"
                           + (f" (full log: {settings.dbt_log})" if settings.dbt_log else "")
                           + f"; compiled SQL in {kept}")
    if docs is not None:
        docs.result()
    if settings.engine == "spark":
        imported = spark_handoff.import_built(settings.build_db, spark_handoff.workdir_for(settings.build_db))
        progress("dbt", f"{len(imported)} tables Spark built copied into the build warehouse")
    progress("dbt", "done")

"""The full refresh: every asset, run in one process so DuckDB writers never overlap."""

import dagster as dg

from pipeline.runtime.gx_process import render_pending_docs


@dg.failure_hook(name="data_docs_of_a_failed_run")
def render_data_docs_on_failure(context: dg.HookContext) -> None:
    """The entity gates' Data Docs are rendered while dbt builds (pipeline/defs/assets/dbt.py); when a step
    fails before that, the validations they stored are rendered here (nothing if none are pending)."""
    render_pending_docs()


full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    hooks={render_data_docs_on_failure},
    description="Load every LA's extract, build the indicators, gate them and publish.",
)

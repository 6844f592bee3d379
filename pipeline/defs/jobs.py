"""The full refresh: every asset, run in one process so DuckDB writers never overlap."""

import dagster as dg

from pipeline import notices
from pipeline.defs.checks.overdue import extract_overdue
from pipeline.runtime.gx_process import render_pending_docs


@dg.failure_hook(name="data_docs_of_a_failed_run")
def render_data_docs_on_failure(context: dg.HookContext) -> None:
    """The entity gates' Data Docs are rendered while dbt builds (pipeline/defs/assets/dbt.py); when a step
    fails before that, the validations they stored are rendered here (nothing if none are pending)."""
    render_pending_docs()


@dg.failure_hook(name="notify_the_hub", required_resource_keys={"settings", "postgres_url"})
def notify_hub_of_failure(context: dg.HookContext) -> None:
    """A failed step (the Postgres push is one): the hub's recipients are told (pipeline/notices/), with the
    run id, the step and the first lines of its error; a failure to tell them never fails the run."""
    exc = context.op_exception
    exc = getattr(exc, "user_exception", None) or exc  # the code's own error, not Dagster's wrapper
    error = (exc.description if isinstance(exc, dg.Failure) and exc.description else
             f"{exc.__class__.__name__}: {exc}" if exc else "the step failed (no error was recorded)")
    notices.step_failed(context.resources.settings.warehouse, context.run_id, context.step_key, error,
                        context.resources.postgres_url or None)


full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    hooks={render_data_docs_on_failure, notify_hub_of_failure},
    description="Load every LA's extract, build the indicators, gate them and publish.",
)

overdue_extracts_job = dg.define_asset_job(
    name="overdue_extracts",
    selection=dg.AssetSelection.checks(extract_overdue),
    executor_def=dg.in_process_executor,
    description="Check every LA's latest extract against its cadence; tell those overdue, and deliver the "
                "notices earlier runs could not.",
)

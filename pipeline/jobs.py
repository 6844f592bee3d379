"""The full refresh: every asset, run in one process so DuckDB writers never overlap."""

import dagster as dg

full_refresh_job = dg.define_asset_job(
    name="full_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Load every LA's extract, build the indicators, gate them and publish.",
)

"""The one Dagster code location: raw loaders -> dbt -> gate -> publish."""

from pathlib import Path

import dagster as dg

from pipeline.defs.assets.dbt import warehouse_dbt_assets
from pipeline.defs.assets.postgres import postgres_published
from pipeline.defs.assets.publish import published_warehouse
from pipeline.defs.assets.raw import raw_bookkeeping_specs, raw_entities, raw_manifests
from pipeline.defs.assets.report import scorecard_report
from pipeline.defs.checks.indicators import indicator_values_suite
from pipeline.defs.checks.overdue import extract_overdue
from pipeline.defs.jobs import full_refresh_job, overdue_extracts_job
from pipeline.defs.resources import build_resources
from pipeline.defs.schedules import nightly_refresh, overdue_extracts
from pipeline.defs.sensors import failed_run_notice, inbox_sensor


def build_definitions(inbox: Path | None = None, warehouse: Path | None = None, **settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_manifests, raw_entities, *raw_bookkeeping_specs, warehouse_dbt_assets, published_warehouse,
                postgres_published, scorecard_report],
        asset_checks=[indicator_values_suite, extract_overdue],
        jobs=[full_refresh_job, overdue_extracts_job],
        schedules=[nightly_refresh, overdue_extracts],
        sensors=[inbox_sensor, failed_run_notice],
        resources=build_resources(inbox, warehouse, **settings),
    )


defs = build_definitions()

"""The one Dagster code location: raw loaders -> dbt -> gate -> publish."""

from pathlib import Path

import dagster as dg

from pipeline.assets.dbt import warehouse_dbt_assets
from pipeline.assets.postgres import postgres_published
from pipeline.assets.publish import published_warehouse
from pipeline.assets.raw import raw_bookkeeping_specs, raw_entities, raw_manifests
from pipeline.assets.report import scorecard_report
from pipeline.checks.indicators import indicator_values_suite
from pipeline.jobs import full_refresh_job
from pipeline.resources import build_resources
from pipeline.schedules import nightly_refresh
from pipeline.sensors import inbox_sensor


def build_definitions(inbox: Path | None = None, warehouse: Path | None = None, **settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_manifests, raw_entities, *raw_bookkeeping_specs, warehouse_dbt_assets, published_warehouse,
                postgres_published, scorecard_report],
        asset_checks=[indicator_values_suite],
        jobs=[full_refresh_job],
        schedules=[nightly_refresh],
        sensors=[inbox_sensor],
        resources=build_resources(inbox, warehouse, **settings),
    )


defs = build_definitions()

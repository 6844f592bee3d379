"""The publish asset: depends directly on the gated indicators, so a failing blocking check stops it."""

from datetime import datetime, timezone

import dagster as dg

from pipeline.defs.assets.dbt import INDICATORS_KEY, warehouse_dbt_assets
from pipeline.defs.partitions import LA_PARTITIONS, SINGLE_RUN
from pipeline import notices
from pipeline.progress import progress
from pipeline.publish import publish
from pipeline.defs.resources import RefreshSettings


@dg.asset(
    group_name="publish",
    kinds={"duckdb"},
    partitions_def=LA_PARTITIONS,
    backfill_policy=SINGLE_RUN,
    # directly on the gated indicators (so the blocking check can stop it) and on every table it publishes
    deps=[INDICATORS_KEY, *(spec.key for spec in warehouse_dbt_assets.specs if spec.group_name == "published")],
    description="The published warehouse (aggregates only) and, beside it, the restricted audit file "
                "(audit.quarantine), swapped in atomically.",
)
def published_warehouse(context: dg.AssetExecutionContext, settings: RefreshSettings) -> dg.MaterializeResult:
    run = context.instance.get_run_by_id(context.run.run_id)
    stats = context.instance.get_run_stats(context.run.run_id) if run else None
    started = (datetime.fromtimestamp(stats.start_time, timezone.utc).replace(tzinfo=None)
               if stats and stats.start_time else datetime.now(timezone.utc).replace(tzinfo=None))
    verdicts = publish(settings.build_db, settings.warehouse, context.run.run_id, started)
    for v in verdicts:
        progress("publish", f"{v.la_code}: {v.status}" + (f" ({v.reason})" if v.reason else ""))
    notices.held_back(settings.warehouse, settings.build_db, context.run.run_id, verdicts)  # never raises
    # per LA partition, so the UI's partition view says which LAs were published and which held back
    status = {v.la_code: {"status": v.status, "extract_date": str(v.extract_date or ""), "reason": v.reason or ""}
              for v in verdicts}
    for code in context.partition_keys:
        context.log_event(dg.AssetObservation(asset_key=context.asset_key, partition=code, metadata=status.get(
            code, {"status": "not in the inbox", "extract_date": "", "reason": "its last publication is kept"})))
    return dg.MaterializeResult(
        metadata={
            "warehouse": str(settings.warehouse),
            "published": [v.la_code for v in verdicts if v.status == "published"],
            "held_back": [v.la_code for v in verdicts if v.status == "held_back"],
            # per LA of this run, for the UI's materialization history (LAs not in the run kept theirs)
            "las": dg.MetadataValue.md("| LA | status | extract | reason |\n|---|---|---|---|\n" + "".join(
                f"| {v.la_code} | {v.status} | {v.extract_date or ''} | {(v.reason or '').replace('|', '/')} |\n"
                for v in verdicts)),
        }
    )

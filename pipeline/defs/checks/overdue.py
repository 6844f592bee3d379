"""Overdue extracts: an LA whose latest extract is older than its extract_cadence_days fails this check
(WARN: nothing is held back), and is reported to its recipients once per overdue period (pipeline/notices/).
It runs after every publish in the full refresh, and each morning on its own (the overdue_extracts job and
schedule), since an LA that sends nothing starts no refresh. So does a folder of files without a manifest: its
notice goes from here too (notices.unread_folders)."""

import dagster as dg

from pipeline import notices
from pipeline.defs.assets.publish import published_warehouse
from pipeline.defs.partitions import LA_PARTITIONS
from pipeline.defs.resources import RefreshSettings


@dg.asset_check(asset=published_warehouse, name="extract_overdue",
                description="Every LA's latest extract is within its expected cadence (extract_cadence_days, "
                            "seeds/la_settings.csv).")
def extract_overdue(context: dg.AssetCheckExecutionContext, settings: RefreshSettings) -> dg.AssetCheckResult:
    overdue = notices.overdue_las(settings.warehouse)
    notices.report_overdue(settings.warehouse, overdue)  # also delivers what earlier runs could not; never raises
    notices.unread_folders(settings.warehouse, settings.inbox)  # folders without a manifest start no run either
    # and per LA partition, so the UI's partition view shows which LA is overdue: the check itself cannot be
    # partitioned, since a checks-only job (overdue_extracts) has no partition to run it for (Dagster 1.13)
    late = {o.la_code: o for o in overdue}
    for code in context.instance.get_dynamic_partitions(LA_PARTITIONS.name):
        o = late.get(code)
        context.op_execution_context.log_event(dg.AssetCheckEvaluation(
            asset_key=published_warehouse.key, check_name="extract_overdue", partition=code, passed=o is None,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"latest_extract": str(o.extract_date), "days_since": o.days, "cadence_days": o.cadence} if o else {}))
    return dg.AssetCheckResult(
        passed=not overdue, severity=dg.AssetCheckSeverity.WARN,
        metadata={"overdue": [o.la_code for o in overdue],
                  "las": dg.MetadataValue.md("| LA | latest extract | days since | cadence (days) |\n|---|---|---|---|\n"
                                             + "".join(f"| {o.la_code} | {o.extract_date} | {o.days} | {o.cadence} |\n"
                                                       for o in overdue))})

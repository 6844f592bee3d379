"""The nightly refresh: 02:00 London time, on by default whenever the daemon runs; it refreshes the
LAs that changed since their last refresh (the inbox sensor usually got there first)."""

import dagster as dg

from pipeline import clock
from pipeline.defs.jobs import full_refresh_job, overdue_extracts_job
from pipeline.defs.resources import RefreshSettings
from pipeline.defs.sensors import refresh_requests


@dg.schedule(job=full_refresh_job, cron_schedule="0 2 * * *", execution_timezone=clock.ZONE_NAME,
             default_status=dg.DefaultScheduleStatus.RUNNING)
def nightly_refresh(context: dg.ScheduleEvaluationContext, settings: RefreshSettings):
    requests = refresh_requests(settings, context.instance)
    if isinstance(requests, dg.SkipReason):
        return requests
    # a fresh run each night (no run key), even for a change the sensor saw
    return [dg.RunRequest(tags=r.tags) for r in requests]


# an LA that sends nothing starts no refresh: each morning, after the nightly refresh, its check runs alone
overdue_extracts = dg.ScheduleDefinition(job=overdue_extracts_job, cron_schedule="0 7 * * *",
                                         execution_timezone=clock.ZONE_NAME,
                                         default_status=dg.DefaultScheduleStatus.RUNNING)

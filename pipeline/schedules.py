"""The nightly full refresh: 02:00 London time, on by default whenever the daemon runs."""

import dagster as dg

from pipeline.jobs import full_refresh_job

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=full_refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

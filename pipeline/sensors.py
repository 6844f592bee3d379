"""Start a refresh when an extract lands in, or changes in, the inbox."""

import hashlib
from pathlib import Path

import dagster as dg

from pipeline.jobs import full_refresh_job
from pipeline.resources import RefreshSettings


def inbox_fingerprint(inbox: Path) -> str:
    """Names, sizes and modification times of every file: cheap, and changes when any file does."""
    h = hashlib.sha256()
    if inbox.is_dir():
        for p in sorted(inbox.rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                st = p.stat()
                # surrogateescape: a file name that is not UTF-8 must not stop the sensor (the load reports it)
                h.update(f"{p.relative_to(inbox)}|{st.st_size}|{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


@dg.sensor(job=full_refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: RefreshSettings):
    fingerprint = inbox_fingerprint(settings.inbox)
    if fingerprint == context.cursor:
        return dg.SkipReason("inbox unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)

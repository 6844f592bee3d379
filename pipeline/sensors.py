"""Start a refresh of the LAs whose extract landed or changed in the inbox (pipeline/state.py plans)."""

import hashlib

import dagster as dg

from pipeline.jobs import full_refresh_job
from pipeline.resources import RefreshSettings
from pipeline.state import LAS_TAG, folder_fingerprint, plan


def refresh_request(settings: RefreshSettings) -> dg.RunRequest | dg.SkipReason:
    """A run of the LAs that are new or changed since their last refresh (tag pipeline/las names them),
    keyed by what they are now, so the same change is requested once; SkipReason when none is."""
    reference = settings.reference_fingerprint
    due = [p for p in plan(settings.inbox, settings.warehouse, reference) if p.run]
    if not due:
        return dg.SkipReason("no LA changed since its last refresh")
    key = hashlib.sha256(reference.encode())
    for p in due:
        key.update(f"{p.la_code}|{folder_fingerprint(p.folder)}\n".encode("utf-8", "surrogateescape"))
    return dg.RunRequest(run_key=key.hexdigest(), tags={LAS_TAG: ",".join(p.la_code for p in due)})


@dg.sensor(job=full_refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: RefreshSettings):
    request = refresh_request(settings)
    # the cursor: the last request, so a change is not requested again while its run is queued
    if isinstance(request, dg.RunRequest):
        if request.run_key == context.cursor:
            return dg.SkipReason("the changed LAs' run is already requested")
        context.update_cursor(request.run_key)
    return request

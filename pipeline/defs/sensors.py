"""Start a refresh of the LAs whose extract landed or changed in the inbox (pipeline/state.py plans); tell the
hub when a refresh run failed outside any step (pipeline/notices/)."""

import hashlib

import dagster as dg

from pipeline import notices
from pipeline.defs.jobs import full_refresh_job
from pipeline.defs.partitions import la_ranges, range_tags, register_las
from pipeline.defs.resources import RefreshSettings
from pipeline.state import folder_fingerprint, la_reference, plan


def refresh_requests(settings: RefreshSettings, instance: dg.DagsterInstance) -> list[dg.RunRequest] | dg.SkipReason:
    """Runs of the LAs that are new or changed since their last refresh, one per stretch of neighbouring
    LA partitions (pipeline/defs/partitions.py), each keyed by what its LAs are now, so the same change is
    requested once; SkipReason when no LA is due. Every LA folder of the inbox becomes a partition."""
    reference = settings.reference_fingerprint  # hashes every seed, model and suite: once per evaluation
    planned = plan(settings.inbox, settings.warehouse, reference)
    order = register_las(instance, [p.la_code for p in planned])
    due = {p.la_code: p for p in planned if p.run}
    if not due:
        return dg.SkipReason("no LA changed since its last refresh")
    requests = []
    for first, last in la_ranges(order, due):
        key = hashlib.sha256(reference.encode())
        for code in order[order.index(first):order.index(last) + 1]:
            key.update(f"{code}|{folder_fingerprint(due[code].folder)}|{la_reference(reference, code)}\n"
                       .encode("utf-8", "surrogateescape"))
        requests.append(dg.RunRequest(run_key=key.hexdigest(), tags=range_tags(first, last)))
    return requests


@dg.sensor(job=full_refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: RefreshSettings):
    requests = refresh_requests(settings, context.instance)
    if isinstance(requests, dg.SkipReason):
        return requests
    # the cursor: the last requests, so a change is not requested again while its runs are queued
    cursor = ",".join(r.run_key for r in requests)
    if cursor == context.cursor:
        return dg.SkipReason("the changed LAs' runs are already requested")
    context.update_cursor(cursor)
    return requests


@dg.run_failure_sensor(monitored_jobs=[full_refresh_job], default_status=dg.DefaultSensorStatus.RUNNING)
def failed_run_notice(context: dg.RunFailureSensorContext, settings: RefreshSettings) -> None:
    """A failed step tells the hub itself (jobs.notify_hub_of_failure); a run can also fail with no step
    failing: its process died, or run monitoring gave up on it. The hub is told of those here."""
    run_id = context.dagster_run.run_id
    if context.instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=1).records:
        return
    notices.step_failed(settings.warehouse, run_id, "", context.failure_event.message or "the run failed")

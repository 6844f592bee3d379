"""Load assets: one per entity of the extract contract, landing typed rows in raw.<entity>.

Every asset here is partitioned by LA (pipeline/defs/partitions.py): a run loads the LAs of its
partition range. raw_manifests starts it with a fresh build warehouse holding only those LAs.
The entity assets are one step (raw_entities): raw_children loads first because every other
entity's rows are checked against the children (orphans, events before birth). Each entity is gated
as it loads, so gate results exist before dbt runs; its GX validations run in the GX process
(pipeline/runtime/gx_process.py) while the next entity loads, the refresh's other core.
"""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipeline.runtime.dbt_child import start_warm
from pipeline.load.inbox import discover, inbox_notes
from pipeline.load.land import land_entities, load_manifests
from pipeline.load.record import record_sources, recorded_sources
from pipeline.load.tables import ensure_tables, raw_columns
from pipeline.defs.partitions import LA_PARTITIONS, SINGLE_RUN
from pipeline.progress import progress
from pipeline.publish import hold_refresh_lock
from pipeline.runtime import gx_process
from pipeline.quality.gate import checks_for, start_gate
from pipeline.defs.resources import RefreshSettings
from pipeline.state import REFERENCE_TAG, record_fingerprints
from pipeline.specs import entities, gate, load_order


@dg.asset(group_name="raw", kinds={"duckdb"}, partitions_def=LA_PARTITIONS, backfill_policy=SINGLE_RUN,
          description="LA extract manifests found in the inbox (raw.manifests), and where each LA's entities "
                      "come from (raw.la_sources), which every raw_<entity> load reads.")
def raw_manifests(context: dg.AssetExecutionContext, settings: RefreshSettings, build_db: DuckDBResource):
    # one refresh at a time per warehouse (RefreshRunning fails this step before anything is touched)
    hold_refresh_lock(settings.warehouse)
    gx_process.start()  # it imports Great Expectations while the first entities load, for their gates
    start_warm()  # and this one dbt, for the dbt step (pipeline/runtime/dbt_child.py)
    # a full refresh rebuilds the staging warehouse from nothing: nothing stale can leak into it
    for path in (settings.build_db, settings.build_db.with_name(settings.build_db.name + ".wal")):
        path.unlink(missing_ok=True)
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    # the LAs of this run: its partitions (whoever started it chose them: pipeline/state.py plans)
    selected = set(context.partition_keys)
    las = [la for la in discover(settings.inbox) if la.la_code in selected]
    # the reference this run's plan was made with, when whoever started it computed it (pipeline/defs/refresh.py)
    reference = context.run.tags.get(REFERENCE_TAG) or settings.reference_fingerprint
    with build_db.get_connection() as con:
        ensure_tables(con)
        record_fingerprints(con, [la.folder for la in las], reference)
        load_manifests(con, las, context.run.run_id, inbox_notes(settings.inbox))
        # the only look through the inbox a run takes: each raw_<entity> load reads this record
        record_sources(con, las, context.run.run_id)
    status = {la.la_code: "ok" if la.ok else "INVALID: " + "; ".join(la.problems) for la in las}
    # an LA partition whose folder left the inbox: nothing to load, its last publication stands
    status.update((code, "no folder in the inbox") for code in selected - status.keys())
    for code, text in sorted(status.items()):
        progress("load", f"{code}: manifest {text}")
        context.log_event(dg.AssetObservation(asset_key=context.asset_key, partition=code, metadata={"manifest": text}))
    return dg.MaterializeResult(metadata={"las": len(las), "valid_manifests": sum(la.ok for la in las),
                                          "la_codes": sorted(la.la_code for la in las)})


ENTITY_KEYS = {name: dg.AssetKey(f"raw_{name}") for name in entities()}
# children first (pipeline/specs/gate.yml load_first): every other entity's rows are checked against them
ENTITY_ORDER = load_order()


def _loaded_after(name: str) -> str:
    """The asset an entity loads after: the one before it in load_first, the last of those for the rest."""
    first = gate().load_first
    if name not in first:
        return f"raw_{first[-1]}"
    i = first.index(name)
    return f"raw_{first[i - 1]}" if i else "raw_manifests"


@dg.multi_asset(
    name="raw_entities",
    specs=[dg.AssetSpec(key, group_name="raw", kinds={"duckdb"},
                        deps=[_loaded_after(name)],
                        description=f"{name} rows that passed the row-level rules (raw.{name}); the rest are in "
                                    "audit.quarantine.",
                        # the columns the dbt models' column lineage ends at (pipeline/defs/assets/dbt.py)
                        metadata={"dagster/column_schema": dg.MetadataValue.table_schema(dg.TableSchema(
                            columns=[dg.TableColumn(column, sql_type) for column, sql_type in raw_columns(entities()[name])]))})
           for name, key in ENTITY_KEYS.items()],
    check_specs=[dg.AssetCheckSpec(check, asset=ENTITY_KEYS[name], description=text)
                 for name in ENTITY_KEYS for check, text in checks_for(name).items()],
    partitions_def=LA_PARTITIONS,
    backfill_policy=SINGLE_RUN,
)
def raw_entities(context: dg.AssetExecutionContext, settings: RefreshSettings, build_db: DuckDBResource):
    """Load every entity, children first, and gate each: its GX validations run in the GX process while
    the next entity loads, and its materialisation is reported with their results."""
    pending = None  # the entity last loaded, whose validations are running
    with build_db.get_connection() as con:
        for name in ENTITY_ORDER:
            try:
                loaded = _load(con, entities()[name], context.run.run_id)
            except Exception:
                if pending:  # its gate ran: its materialisation and checks are reported before the step fails
                    yield _gated(*pending)
                raise
            started = time.perf_counter()
            finish = start_gate(con, entities()[name], settings, context.run.run_id)
            # timed before the yield: Dagster's time storing the events is not the gate's
            gating = (name, loaded, finish, time.perf_counter() - started)
            if pending:
                yield _gated(*pending)
            pending = gating
        yield _gated(*pending)


def _load(con, entity, run_id: str) -> list:
    # the valid LAs raw_manifests recorded, landed together (pipeline/load/land.py groups their files)
    results = land_entities(con, entity, recorded_sources(con, entity.name), run_id)
    for result in results:
        if result.source_file:
            progress("load", f"{result.la_code}/{result.source_file}: {result.rows_loaded} loaded, "
                             f"{result.rows_quarantined} quarantined of {result.rows_supplied}")
    return results


def _gated(name: str, results: list, finish, gate_seconds: float) -> dg.MaterializeResult:
    started = time.perf_counter()
    check_results = finish()
    return dg.MaterializeResult(
        asset_key=ENTITY_KEYS[name],
        metadata={
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results),
            "files": len([r for r in results if r.source_file]),
            # the gate runs inside the load step; the bench reports its share apart (pipeline/defs/bench.py)
            "gate_seconds": dg.MetadataValue.float(gate_seconds + time.perf_counter() - started),
        },
        check_results=check_results,
    )


# Bookkeeping tables every raw_<entity> load writes a part of: declared (not materialised on their
# own) so the lineage graph shows them in the raw group, downstream of all the loads.
raw_bookkeeping_specs = [
    dg.AssetSpec(f"raw_{table}", group_name="raw", kinds={"duckdb"}, deps=list(ENTITY_KEYS.values()),
                 description=description)
    for table, description in (
        ("supplied_entities", "One row per LA and entity file supplied: rows supplied, loaded, quarantined "
                              "(raw.supplied_entities), written by every raw_<entity> load."),
        ("absent_columns", "One row per LA, entity file and optional column the file lacks: not supplied, so "
                           "the indicators needing it have no rows for that LA (raw.absent_columns)."),
        ("source_coverage", "What each statutory-format source (Annex A, SSDA903, CIN census) can support "
                            "(raw.source_coverage), written by the raw_<entity> loads."),
    )
]

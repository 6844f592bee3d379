"""Load assets: one per entity of the extract contract, landing typed rows in raw.<entity>.

Every asset here is partitioned by LA (pipeline/partitions.py): a run loads the LAs of its
partition range. raw_manifests starts it with a fresh build warehouse holding only those LAs;
raw_children loads next because
every other entity's rows are checked against the children (orphans, events before birth).
Each entity asset also runs that entity's quality gate, so gate results exist before dbt runs.
"""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipeline.load.inbox import discover, inbox_notes
from pipeline.load.land import land_entities, load_manifests
from pipeline.load.record import record_sources, recorded_sources
from pipeline.load.tables import ensure_tables
from pipeline.partitions import LA_PARTITIONS, SINGLE_RUN
from pipeline.progress import progress
from pipeline.publish import hold_refresh_lock
from pipeline.quality.gate import checks_for, gate_entity
from pipeline.resources import RefreshSettings
from pipeline.state import REFERENCE_TAG, record_fingerprints
from pipeline.specs import entities


@dg.asset(group_name="raw", kinds={"duckdb"}, partitions_def=LA_PARTITIONS, backfill_policy=SINGLE_RUN,
          description="LA extract manifests found in the inbox (raw.manifests), and where each LA's entities "
                      "come from (raw.la_sources), which every raw_<entity> load reads.")
def raw_manifests(context: dg.AssetExecutionContext, settings: RefreshSettings, build_db: DuckDBResource):
    # one refresh at a time per warehouse (RefreshRunning fails this step before anything is touched)
    hold_refresh_lock(settings.warehouse)
    # a full refresh rebuilds the staging warehouse from nothing: nothing stale can leak into it
    for path in (settings.build_db, settings.build_db.with_name(settings.build_db.name + ".wal")):
        path.unlink(missing_ok=True)
    settings.build_db.parent.mkdir(parents=True, exist_ok=True)
    # the LAs of this run: its partitions (whoever started it chose them: pipeline/state.py plans)
    selected = set(context.partition_keys)
    las = [la for la in discover(settings.inbox) if la.la_code in selected]
    # the reference this run's plan was made with, when whoever started it computed it (pipeline/refresh.py)
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


def build_raw_asset(entity_name: str) -> dg.AssetsDefinition:
    entity = entities()[entity_name]
    upstream = ["raw_manifests"] if entity_name == "children" else ["raw_children"]
    key = dg.AssetKey(f"raw_{entity_name}")

    @dg.asset(
        name=f"raw_{entity_name}",
        group_name="raw",
        kinds={"duckdb"},
        partitions_def=LA_PARTITIONS,
        backfill_policy=SINGLE_RUN,
        deps=upstream,
        description=f"{entity_name} rows that passed the row-level rules (raw.{entity_name}); the rest are in audit.quarantine.",
        check_specs=[dg.AssetCheckSpec(name, asset=key, description=text) for name, text in checks_for(entity_name).items()],
    )
    def _load(context: dg.AssetExecutionContext, settings: RefreshSettings, build_db: DuckDBResource):
        with build_db.get_connection() as con:
            # the valid LAs raw_manifests recorded, landed together (pipeline/load/land.py groups their files)
            results = land_entities(con, entity, recorded_sources(con, entity_name), context.run.run_id)
            for result in results:
                if result.source_file:
                    progress("load", f"{result.la_code}/{result.source_file}: {result.rows_loaded} loaded, "
                                     f"{result.rows_quarantined} quarantined of {result.rows_supplied}")
            gate_started = time.perf_counter()
            check_results = gate_entity(con, entity, settings, context.run.run_id)
            gate_seconds = time.perf_counter() - gate_started
        return dg.MaterializeResult(
            metadata={
                "rows_loaded": sum(r.rows_loaded for r in results),
                "rows_quarantined": sum(r.rows_quarantined for r in results),
                "files": len([r for r in results if r.source_file]),
                # the gate runs inside the load step; the bench reports its share apart (pipeline/bench.py)
                "gate_seconds": dg.MetadataValue.float(gate_seconds),
            },
            check_results=check_results,
        )

    return _load


raw_entity_assets = [build_raw_asset(name) for name in entities()]

# Bookkeeping tables every raw_<entity> load writes a part of: declared (not materialised on their
# own) so the lineage graph shows them in the raw group, downstream of all the loads.
raw_bookkeeping_specs = [
    dg.AssetSpec(f"raw_{table}", group_name="raw", kinds={"duckdb"}, deps=[a.key for a in raw_entity_assets],
                 description=description)
    for table, description in (
        ("supplied_entities", "One row per LA and entity file supplied: rows supplied, loaded, quarantined "
                              "(raw.supplied_entities), written by every raw_<entity> load."),
        ("source_coverage", "What each statutory-format source (Annex A, SSDA903, CIN census) can support "
                            "(raw.source_coverage), written by the raw_<entity> loads."),
    )
]

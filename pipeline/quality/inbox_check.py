"""The load and gate stages of a refresh without Dagster, for `pipeline validate`.

The same functions the raw assets run (load_manifests, record_sources, land_entities, check_entity),
in the same order (manifests, then the entities in pipeline.specs.load_order()), into a throwaway
connection: so the findings are exactly those a refresh would act on, in seconds. The indicator suite needs the
dbt build and runs in a refresh only.
"""

from pathlib import Path

from pipeline.load.inbox import discover, inbox_notes
from pipeline.load.land import land_entities, load_manifests
from pipeline.load.record import record_sources, recorded_sources
from pipeline.load.tables import ensure_tables
from pipeline.quality.gate import check_entity
from pipeline.specs import entities, load_order


def check_inbox(con, inbox: Path, settings, run_id: str = "validate") -> None:
    ensure_tables(con)
    las = discover(inbox)
    load_manifests(con, las, run_id, inbox_notes(inbox))
    record_sources(con, las, run_id)
    for name in load_order():  # children first: the other entities are checked against them
        entity = entities()[name]
        land_entities(con, entity, recorded_sources(con, name), run_id)
        check_entity(con, entity, settings, run_id)

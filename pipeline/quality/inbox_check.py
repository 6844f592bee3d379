"""The load and gate stages of a refresh without Dagster, for `pipeline validate`.

The same functions the raw assets run (load_manifests, land_entity, check_entity), in the same
order (manifests, then children, then every other entity), into a throwaway connection: so the
findings are exactly those a refresh would act on, in seconds. The indicator suite needs the
dbt build and runs in a refresh only.
"""

from pathlib import Path

from pipeline.load.inbox import discover, entity_sources, inbox_notes
from pipeline.load.land import land_entity, load_manifests
from pipeline.load.tables import ensure_tables
from pipeline.quality.gate import check_entity
from pipeline.specs import entities


def check_inbox(con, inbox: Path, settings, run_id: str = "validate") -> None:
    ensure_tables(con)
    las = discover(inbox)
    load_manifests(con, las, run_id, inbox_notes(inbox))
    valid = [la for la in las if la.ok]
    sources = {la.la_code: entity_sources(la.folder) for la in valid}
    # children first: the other entities are checked against them
    for name, entity in sorted(entities().items(), key=lambda item: item[0] != "children"):
        for la in valid:
            land_entity(con, la, entity, sources[la.la_code].get(name), run_id)
        check_entity(con, entity, settings, run_id)

"""Landing one LA's file at a time, as the loader tests do (a refresh lands every LA's file of an
entity together: land.land_entities)."""

from pipeline.load.group import LandResult
from pipeline.load.land import land_entities
from pipeline.load.sources import EntitySource, LaExtract
from pipeline.specs import Entity


def land_entity(con, la: LaExtract, entity: Entity, source: EntitySource | None, run_id: str) -> LandResult:
    """One LA's source of `entity` (None: not supplied): land_entities with one LA."""
    return land_entities(con, entity, [(la, source)], run_id)[0]

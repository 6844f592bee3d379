"""The contract as data, each file loaded into a typed model (pydantic, unknown keys refused):

- entities.yml + seeds/code_lists.csv: the native extract contract, with the child rules
  (pipeline/specs/entities.py), shared by loader, gate and generator;
- gate.yml: the load order and the gate thresholds (pipeline/specs/gate.py);
- annex_a.yml, cin_census.yml, ssda903.yml: the statutory formats (pipeline/specs/formats.py);
- la_settings.yml: the settings of seeds/la_settings.csv (pipeline/specs/settings.py).

A file that does not fit its model raises SpecError naming the file and the key.
"""

import csv
from functools import cache

from pipeline.paths import SEEDS_DIR, SPECS_DIR

from .base import SpecError, load_yaml, shown, validate
from .entities import SQL_TYPES, Column, Condition, DatasetWarning, DateOrder, Entity, FloorTerm, OneOf, Reference
from .formats import FORMAT_MODELS, AnnexA, CinCensus, Ssda903
from .gate import Gate, Threshold
from .settings import Setting, SettingsSpec, seed_problems

__all__ = ["SQL_TYPES", "Column", "Condition", "DatasetWarning", "DateOrder", "Entity", "FloorTerm", "Gate", "OneOf",
           "Reference", "ReferenceDataError", "Setting",
           "SpecError", "Threshold", "check_la_settings", "checked_against_children", "children_entity", "code_lists",
           "entities", "format_spec", "gate", "load_order", "settings_spec"]


@cache
def entities() -> dict[str, Entity]:
    path = SPECS_DIR / "entities.yml"
    raw = load_yaml(path, dict[str, dict])
    named = {name: {**(spec or {}), "name": name} for name, spec in raw.items()}
    out = validate(named, dict[str, Entity], shown(path))
    lists = code_lists()
    for entity in out.values():
        for col in entity.columns:
            if col.codes and col.codes not in lists:
                raise SpecError(f"{shown(path)}: {entity.name}.columns.{col.name}.codes: "
                                f"{col.codes!r} is not a list in seeds/code_lists.csv")
    for entity in out.values():
        for n, ref in enumerate(entity.references):
            where = f"{shown(path)}: {entity.name}.references.{n}"
            if ref.entity not in out:
                raise SpecError(f"{where}.entity: {ref.entity!r} is not an entity of entities.yml")
            target = out[ref.entity]
            unknown = [c for c in ref.columns if c not in target.column_map] + \
                [c for o in ref.order for c in o.earliest_of if c not in target.column_map]
            if unknown:
                raise SpecError(f"{where}: {', '.join(unknown)} is not a column of {ref.entity}")
            undated = [c for o in ref.order for c in o.earliest_of if not target.column_map[c].is_date]
            if undated:
                raise SpecError(f"{where}.order: date rule on {', '.join(undated)}, not a date column of {ref.entity}")
    holders = [e.name for e in out.values() if e.birth_floor]
    if len(holders) > 1:
        raise SpecError(f"{shown(path)}: birth_floor on {', '.join(holders)}: only the one entity "
                        "holding the children has one")
    return out


def children_entity() -> Entity | None:
    """The entity holding the children (the one with a birth_floor): every other entity with its key
    column is checked against it (orphan_child, before_birth)."""
    return next((e for e in entities().values() if e.birth_floor), None)


def checked_against_children(entity: Entity) -> bool:
    kids = children_entity()
    return kids is not None and entity.name != kids.name and kids.key in entity.column_names


@cache
def gate() -> Gate:
    path = SPECS_DIR / "gate.yml"
    spec = load_yaml(path, Gate)
    known, kids = entities(), children_entity()
    unknown = [n for n in spec.load_first if n not in known]
    if unknown:
        raise SpecError(f"{shown(path)}: load_first: {', '.join(unknown)} is not an entity of entities.yml")
    if kids and kids.name not in spec.load_first:
        raise SpecError(f"{shown(path)}: load_first: lacks {kids.name}, which the other entities' rows "
                        "are checked against")
    order = list(spec.load_first) + [name for name in known if name not in spec.load_first]
    for entity in known.values():  # a referenced entity's rows are matched, so it loads first
        late = [r.entity for r in entity.references if order.index(r.entity) > order.index(entity.name)]
        if late:
            raise SpecError(f"{shown(SPECS_DIR / 'entities.yml')}: {entity.name}.references: {', '.join(late)} "
                            f"loads after {entity.name} (load_first in {shown(path)}, then entities.yml's order); "
                            "it must load before it")
    return spec


def load_order() -> list[str]:
    """Entity names in the order a refresh loads and gates them (gate.yml load_first, then the rest)."""
    first = list(gate().load_first)
    return first + [name for name in entities() if name not in first]


@cache
def format_spec(name: str) -> AnnexA | CinCensus | Ssda903:
    """A statutory format's spec, pipeline/specs/<name>.yml, whose native entities and columns are
    those of entities.yml."""
    if name not in FORMAT_MODELS:
        raise SpecError(f"no statutory format {name!r} (formats: {', '.join(FORMAT_MODELS)})")
    path = SPECS_DIR / f"{name}.yml"
    spec = load_yaml(path, FORMAT_MODELS[name])
    known = entities()
    for entity, columns in spec.native_columns().items():
        if entity not in known:
            raise SpecError(f"{shown(path)}: {entity}: not an entity of entities.yml")
        unknown = [c for c in columns if c not in known[entity].column_map]
        if unknown:
            raise SpecError(f"{shown(path)}: {entity}: {', '.join(unknown)} is not a column of "
                            f"{entity} in entities.yml")
    indicators = _indicator_ids()
    for entity, coverage in spec.coverage.items():
        named = [*coverage.unsupported, *coverage.lookback, *coverage.latest_only]
        unknown = [i for i in named if i not in indicators]
        if entity not in known or unknown:
            raise SpecError(f"{shown(path)}: coverage.{entity}: "
                            + ("not an entity of entities.yml" if entity not in known else
                               f"{', '.join(unknown)} is not an indicator of seeds/indicator_catalogue.csv"))
    return spec


def _indicator_ids() -> set[str]:
    with open(SEEDS_DIR / "indicator_catalogue.csv", newline="", encoding="utf-8") as f:
        return {row["id"] for row in csv.DictReader(f)}


@cache
def settings_spec() -> SettingsSpec:
    return load_yaml(SPECS_DIR / "la_settings.yml", SettingsSpec)


class ReferenceDataError(SpecError):
    """Reference data (a seed) that breaks its rules: a refresh stops before anything is built."""


def check_la_settings(path=SEEDS_DIR / "la_settings.csv") -> None:
    """ReferenceDataError naming every row of the settings seed that breaks the rules of la_settings.yml."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: no such file; the LA settings seed is needed (practice.md section 3)")
    problems = seed_problems(settings_spec(), path)
    if problems:
        raise ReferenceDataError("the LA settings seed breaks its rules (pipeline/specs/la_settings.yml):\n  "
                                 + "\n  ".join(problems))


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    with open(SEEDS_DIR / "code_lists.csv", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list_name"], []).append(row["code"])
    return {k: tuple(v) for k, v in lists.items()}

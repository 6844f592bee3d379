"""The extract contract as data (entities.yml + seeds/code_lists.csv), shared by loader, gate and generator."""

import csv
from dataclasses import dataclass, field
from functools import cache

import yaml

from pipeline.paths import SEEDS_DIR, SPECS_DIR

# DuckDB type of each contract type in the raw layer
SQL_TYPES = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "code": "VARCHAR",
    "flag": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,2)",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    codes: str | None = None
    pattern: str | None = None
    min: int | None = None
    # a date that may legitimately lie after the extract date (an unborn child's expected birth)
    future_allowed: bool = False
    # ...but not further than this many days after it (an expected birth in 2099 is a typo)
    future_limit_days: int | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def is_date(self) -> bool:
        return self.type in ("date", "datetime")


@dataclass(frozen=True)
class DateOrder:
    earlier: str
    later: str
    severity: str  # error quarantines the row; warning is reported only


@dataclass(frozen=True)
class Entity:
    name: str
    required: bool
    key: str | None
    columns: tuple[Column, ...]
    order: tuple[DateOrder, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def entities() -> dict[str, Entity]:
    raw = yaml.safe_load((SPECS_DIR / "entities.yml").read_text())
    out = {}
    for name, spec in raw.items():
        columns = tuple(Column(name=c, **(opts or {})) for c, opts in spec["columns"].items())
        order = tuple(DateOrder(**o) for o in spec.get("order", []))
        out[name] = Entity(name, spec["required"], spec.get("key"), columns, order)
    return out


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    with open(SEEDS_DIR / "code_lists.csv", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list_name"], []).append(row["code"])
    return {k: tuple(v) for k, v in lists.items()}

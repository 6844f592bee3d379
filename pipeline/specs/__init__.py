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
    "decimal": "DECIMAL(18,{scale})",  # exact: FTE sums are published in hundredths (practice.md 2)
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    codes: str | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False  # `min` itself is out of range (0 < fte)
    scale: int | None = None  # decimal: the most decimals a value may have
    # a staff identifier (practice.md 1.4): the domain its keyed hash is taken in ('worker')
    pseudonym: str | None = None
    # a date that may legitimately lie after the extract date (an unborn child's expected birth)
    future_allowed: bool = False
    # ...but not further than this many days after it (an expected birth in 2099 is a typo)
    future_limit_days: int | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type].format(scale=self.scale)

    @property
    def is_date(self) -> bool:
        return self.type in ("date", "datetime")


@dataclass(frozen=True)
class DateOrder:
    earlier: str | tuple[str, ...]  # a tuple: the earliest of these columns that is given
    later: str
    severity: str  # error quarantines the row; warning is reported only

    @property
    def helper(self) -> str:
        """The column the quality gate compares `later` with: `earlier`, or for several, a helper column
        holding their earliest (pipeline.quality.frames)."""
        return self.earlier if isinstance(self.earlier, str) else "_earliest_" + "_".join(self.earlier)


@dataclass(frozen=True)
class Condition:
    """When a row meets `if_`, it must meet `then`. Each test is (column, 'given' | 'empty' | codes)."""
    rule: str
    if_: tuple[str, str | tuple[str, ...]]
    then: tuple[str, str | tuple[str, ...]]
    severity: str


@dataclass(frozen=True)
class Reference:
    """The row's `columns` must match a row of `entity`; `order` compares that row's date (earlier) with
    this row's (later)."""
    entity: str
    columns: tuple[str, ...]
    order: tuple[DateOrder, ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str
    required: bool
    key: str | None
    columns: tuple[Column, ...]
    order: tuple[DateOrder, ...] = field(default_factory=tuple)
    conditions: tuple[Condition, ...] = ()
    references: tuple[Reference, ...] = ()
    unique: tuple[str, ...] = ()  # columns unique together within a file (beside `key`)
    drop_extras: bool = False  # `extras: drop`: columns the contract does not know are not kept
    warnings: tuple[dict, ...] = ()  # dataset-level warnings (pipeline/load/dataset_rules.py names the kinds)

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
        order = tuple(_order(o) for o in spec.get("order", []))
        conditions = tuple(Condition(c["rule"], _test(c["if"]), _test(c["then"]), c["severity"])
                           for c in spec.get("conditions", []))
        references = tuple(Reference(r["entity"], tuple(r["columns"]), tuple(DateOrder(**o) for o in r.get("order", [])))
                           for r in spec.get("references", []))
        for reference in references:  # it is loaded first (entities load in this file's order)
            if reference.entity not in out:
                raise ValueError(f"entities.yml: {name} references {reference.entity}, which must come before it")
        out[name] = Entity(name, spec["required"], spec.get("key"), columns, order, conditions, references,
                           tuple(spec.get("unique", [])), spec.get("extras", "keep") == "drop",
                           tuple(spec.get("warnings", [])))
    return out


def _order(order: dict) -> DateOrder:
    earlier = order["earlier"]
    return DateOrder(**{**order, "earlier": tuple(earlier) if isinstance(earlier, list) else earlier})


def _test(test: dict) -> tuple[str, str | tuple[str, ...]]:
    ((column, wanted),) = test.items()
    return column, tuple(wanted) if isinstance(wanted, list) else wanted


@cache
def code_lists() -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    with open(SEEDS_DIR / "code_lists.csv", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list_name"], []).append(row["code"])
    return {k: tuple(v) for k, v in lists.items()}

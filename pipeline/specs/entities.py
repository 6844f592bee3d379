"""The native extract contract, pipeline/specs/entities.yml, as typed models.

The child rules are stated here once, on the entity that holds the children (the one with a
`birth_floor`): `one_of` (a child has a date of birth or, unborn, an expected one) and the birth
floor (no event of the child before it). The loader's SQL (pipeline/load/rules.py), the suites
(pipeline/quality/suites.py, frames.py) and the generator's defects (pipeline/generate/defects.py)
are derived from them.
"""

from typing import Literal

from pydantic import Field, model_validator

from .base import SpecModel

ColumnType = Literal["id", "string", "code", "flag", "date", "datetime", "integer"]
Severity = Literal["error", "warning"]  # error quarantines the row (holds the LA back); warning reports it

# DuckDB type of each contract type in the raw layer
SQL_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "code": "VARCHAR",
    "flag": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "integer": "BIGINT",
}


class Column(SpecModel):
    name: str
    type: ColumnType
    required: bool = False
    codes: str | None = None  # a list of seeds/code_lists.csv
    pattern: str | None = None  # a regex the trimmed value must match
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


class DateOrder(SpecModel):
    earlier: str
    later: str
    severity: Severity


class OneOf(SpecModel):
    """At least one of these columns is given; the first is the one reported when none is."""

    columns: tuple[str, ...] = Field(min_length=2)
    why: str  # shown in the message: "... is required unless ... is given (<why>)"


class FloorTerm(SpecModel):
    """One candidate of the birth floor: a date column of the child, moved `months_before` earlier."""

    column: str
    months_before: int = Field(default=0, ge=0)
    shown_as: str | None = None  # the word before the date in messages ("expected 2024-06-01")


class Entity(SpecModel):
    name: str
    required: bool
    key: str | None = None
    # by name in the YAML (and in load errors); `columns` gives them in file order
    column_map: dict[str, Column] = Field(alias="columns")
    order: tuple[DateOrder, ...] = ()
    one_of: OneOf | None = None
    # no date of the child's events (every other entity with the key column) before the earliest of these
    birth_floor: tuple[FloorTerm, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _name_columns(cls, data):
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = {**data, "columns": {name: {**(opts or {}), "name": name} if isinstance(opts, dict | None) else opts
                                        for name, opts in data["columns"].items()}}
        return data

    @model_validator(mode="after")
    def _columns_named_exist(self):
        named = ([self.key] if self.key else []) + [o.earlier for o in self.order] + [o.later for o in self.order] \
            + list(self.one_of.columns if self.one_of else ()) + [t.column for t in self.birth_floor]
        unknown = [c for c in named if c not in self.column_map]
        if unknown:
            raise ValueError(f"names {', '.join(unknown)}, not a column of {self.name}")
        undated = [c for c in [o.earlier for o in self.order] + [o.later for o in self.order]
                   + [t.column for t in self.birth_floor] if not self.column_map[c].is_date]
        if undated:
            raise ValueError(f"date rule on {', '.join(undated)}, not a date column of {self.name}")
        if self.birth_floor and not self.key:
            raise ValueError(f"{self.name} has a birth_floor but no key for other entities to name its rows by")
        return self

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(self.column_map.values())

    def column(self, name: str) -> Column:
        return self.column_map[name]

    @property
    def column_names(self) -> list[str]:
        return list(self.column_map)

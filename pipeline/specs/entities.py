"""The native extract contract, pipeline/specs/entities.yml, as typed models.

The child rules are stated here once, on the entity that holds the children (the one with a
`birth_floor`): `one_of` (a child has a date of birth or, unborn, an expected one) and the birth
floor (no event of the child before it). The loader's SQL (pipeline/load/rules.py), the suites
(pipeline/quality/suites.py, frames.py) and the generator's defects (pipeline/generate/defects.py)
are derived from them.

practice.md's rule kinds are data here too: `conditions` (if a row meets one test it meets another),
`references` (a row matches a row of an entity loaded before it: pipeline/specs/gate.yml), `unique`,
`extras: drop`, dataset `warnings` (pipeline/load/dataset_rules.py), an `order` from the earliest of
several dates, `decimal` columns with `scale` and bounds, and `pseudonym` on staff identifiers
(pipeline/pseudonyms.py).
"""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import SpecModel

ColumnType = Literal["id", "string", "code", "flag", "date", "datetime", "integer", "decimal"]
Severity = Literal["error", "warning"]  # error quarantines the row (holds the LA back); warning reports it
PseudonymDomain = Literal["worker"]  # the domains of pipeline/pseudonyms.py's keyed hash
# the kinds of dataset-level warning, pipeline/load/dataset_rules.py
WarningKind = Literal["open_over_12_months", "null_share", "case_variants", "overlapping_workers",
                      "workers_missing_from_snapshot", "duplicates", "overlapping_periods", "code_for_age"]

# DuckDB type of each contract type in the raw layer
SQL_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "code": "VARCHAR",
    "flag": "VARCHAR",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,{scale})",  # exact: FTE sums are published in hundredths (practice.md 2)
}


class Column(SpecModel):
    name: str
    type: ColumnType
    required: bool = False
    codes: str | None = None  # a list of seeds/code_lists.csv
    pattern: str | None = None  # a regex the trimmed value (a date: its ISO form, YYYY-MM-DD) must match
    pattern_means: str | None = None  # what a match is, in words, for messages ("a 31 March")
    min: int | float | None = None  # as written: a whole number stays one (an integer column's bound)
    max: int | float | None = None
    min_exclusive: bool = False  # `min` itself is out of range (0 < fte)
    scale: int | None = Field(default=None, ge=0, le=18)  # decimal: the most decimals a value may have
    # a staff identifier (practice.md 1.4): the domain its keyed hash is taken in ('worker')
    pseudonym: PseudonymDomain | None = None
    # a date that may legitimately lie after the extract date (an unborn child's expected birth)
    future_allowed: bool = False
    # ...but not further than this many days after it (an expected birth in 2099 is a typo)
    future_limit_days: int | None = None

    @model_validator(mode="after")
    def _decimal_scale(self):
        if (self.type == "decimal") != (self.scale is not None):
            raise ValueError("a decimal column has a scale, and only a decimal column has one")
        if self.min_exclusive and self.min is None:
            raise ValueError("min_exclusive without a min")
        if self.pattern_means and not self.pattern:
            raise ValueError("pattern_means without a pattern")
        return self

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type].format(scale=self.scale)

    @property
    def is_date(self) -> bool:
        return self.type in ("date", "datetime")


class DateOrder(SpecModel):
    earlier: str | tuple[str, ...]  # a list: the earliest of these columns that is given
    later: str
    severity: Severity
    rule: str = "end_before_start"  # the name the loader and the quality gate report it under

    @property
    def earliest_of(self) -> tuple[str, ...]:
        return (self.earlier,) if isinstance(self.earlier, str) else self.earlier

    @property
    def helper(self) -> str:
        """The column the quality gate compares `later` with: `earlier`, or for several, a helper column
        holding their earliest (pipeline.quality.frames)."""
        return self.earlier if isinstance(self.earlier, str) else "_earliest_" + "_".join(self.earlier)


Wanted = Literal["given", "empty"] | tuple[str, ...]  # a test of one column: given, empty, or one of these codes


class Condition(SpecModel):
    """When a row meets `if`, it must meet `then`. Each test is {column: given | empty | [codes]}, held as
    (column, wanted)."""

    rule: str
    if_: tuple[str, Wanted] = Field(alias="if")
    then: tuple[str, Wanted]
    severity: Severity

    @field_validator("if_", "then", mode="before")
    @classmethod
    def _one_test(cls, test):
        if isinstance(test, dict):
            if len(test) != 1:
                raise ValueError("a test names exactly one column: {column: given | empty | [codes]}")
            ((column, wanted),) = test.items()
            return column, tuple(wanted) if isinstance(wanted, list) else wanted
        return test


class Reference(SpecModel):
    """The row's `columns` must match a row of `entity` (loaded before this one); `order` compares that
    row's date (earlier) with this row's (later)."""

    entity: str
    columns: tuple[str, ...] = Field(min_length=1)
    order: tuple[DateOrder, ...] = ()


class DatasetWarning(SpecModel):
    """A dataset-level warning, never blocking (pipeline/load/dataset_rules.py names the kinds and what
    each reads: start/end, column/among)."""

    rule: str
    kind: WarningKind
    start: str | tuple[str, ...] | None = None  # a list: the earliest of these
    end: str | None = None
    column: str | None = None
    among: str | None = None
    columns: tuple[str, ...] | None = None  # duplicates: the columns that make rows one record
    at: str | None = None  # code_for_age: the date the child's age is taken at
    age: int | None = Field(default=None, ge=1)  # code_for_age: `codes` are for children under this age
    codes: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _keys_of_kind(self):
        needs = {"open_over_12_months": ("start", "end"), "null_share": ("column",),
                 "case_variants": ("column",), "duplicates": ("columns",), "overlapping_periods": ("start", "end"),
                 "code_for_age": ("column", "at", "age", "codes")}.get(self.kind, ())
        lacking = [k for k in needs if getattr(self, k) is None]
        if lacking:
            raise ValueError(f"a {self.kind} warning needs {', '.join(lacking)}")
        return self

    @property
    def columns_named(self) -> list[str]:
        return [c for key in ("start", "end", "column", "among", "columns", "at") for c in _listed(getattr(self, key))]

    # read like the mapping it was (spec["kind"], spec.get("among"))
    def __getitem__(self, key: str):
        return getattr(self, key)

    def get(self, key: str, default=None):
        value = getattr(self, key, None)
        return default if value is None else value


def _listed(value) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


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
    conditions: tuple[Condition, ...] = ()
    references: tuple[Reference, ...] = ()
    unique: tuple[str, ...] = ()  # columns unique together within a file (beside `key`)
    extras: Literal["keep", "drop"] = "keep"  # drop: columns the contract does not know are not kept
    warnings: tuple[DatasetWarning, ...] = ()  # dataset-level warnings (pipeline/load/dataset_rules.py)

    @model_validator(mode="before")
    @classmethod
    def _name_columns(cls, data):
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = {**data, "columns": {name: {**(opts or {}), "name": name} if isinstance(opts, dict | None) else opts
                                        for name, opts in data["columns"].items()}}
        return data

    @model_validator(mode="after")
    def _columns_named_exist(self):
        ordered = [c for o in self.order for c in o.earliest_of] + [o.later for o in self.order] \
            + [o.later for r in self.references for o in r.order]
        named = ([self.key] if self.key else []) + ordered \
            + list(self.one_of.columns if self.one_of else ()) + [t.column for t in self.birth_floor] \
            + [c for cond in self.conditions for c in (cond.if_[0], cond.then[0])] \
            + [c for r in self.references for c in r.columns] + list(self.unique) \
            + [c for w in self.warnings for c in w.columns_named]
        unknown = list(dict.fromkeys(c for c in named if c not in self.column_map))
        if unknown:
            raise ValueError(f"names {', '.join(unknown)}, not a column of {self.name}")
        undated = [c for c in ordered + [t.column for t in self.birth_floor] if not self.column_map[c].is_date]
        if undated:
            raise ValueError(f"date rule on {', '.join(undated)}, not a date column of {self.name}")
        if self.birth_floor and not self.key:
            raise ValueError(f"{self.name} has a birth_floor but no key for other entities to name its rows by")
        return self

    @property
    def drop_extras(self) -> bool:
        """`extras: drop`: columns the contract does not know are not kept (staff data: practice.md 1.4)."""
        return self.extras == "drop"

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

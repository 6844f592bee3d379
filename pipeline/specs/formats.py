"""The statutory format specs (pipeline/specs/annex_a.yml, cin_census.yml, ssda903.yml) as typed
models, read by the adapters (pipeline/load/adapters/). A misspelt key, a list, field or code map
that is named but not defined, or a native entity or column that entities.yml lacks fails when
the spec loads, naming the file and the key."""

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from .base import SpecModel

FormatName = Literal["annex_a", "cin_census", "ssda903"]


class Lookback(SpecModel):
    months: int = Field(ge=1)
    reason: str


class Coverage(SpecModel):
    """What the format cannot support of an entity's indicators (pipeline/load/adapters/common.coverage_for)."""

    unsupported: dict[str, str] = {}  # indicator -> why
    lookback: dict[str, Lookback] = {}  # indicator -> months after the start it is complete from
    # only at the extract date: indicator -> breakdown -> why, or indicator -> why (every breakdown)
    latest_only: dict[str, dict[str, str] | str] = {}


CodeMaps = dict[str, dict[str, str]]  # map name -> {variant as supplied: native code}


class FieldRef(SpecModel):
    """A source field (Annex A logical field, SSDA903 column); a bare name in the YAML."""

    field: str
    map: str | None = None  # a code map of the spec
    code: bool = False  # take the code of a free-text value ("A1: White British" -> A1)

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data):
        return {"field": data} if isinstance(data, str) else data


class Constant(SpecModel):
    value: str


class Concat(SpecModel):
    concat: tuple[FieldRef, ...] = Field(min_length=2)  # each part's code, joined


def _source_kind(data) -> str:
    if isinstance(data, Constant | Concat):
        return "<value>" if isinstance(data, Constant) else "<concat>"
    if isinstance(data, dict):
        return "<value>" if "value" in data else "<concat>" if "concat" in data else "<field>"
    return "<field>"


# a native column's source: a field, {field, map, code}, {value: constant} or {concat: [parts]}
Source = Annotated[Annotated[FieldRef, Tag("<field>")] | Annotated[Constant, Tag("<value>")]
                   | Annotated[Concat, Tag("<concat>")], Discriminator(_source_kind)]


def source_fields(source) -> list[FieldRef]:
    return list(source.concat) if isinstance(source, Concat) else [source] if isinstance(source, FieldRef) else []


# -- Annex A ---------------------------------------------------------------------------------------

class AnnexList(SpecModel):
    title: str
    identify: tuple[str, ...] = Field(min_length=1)  # fields whose headers make a sheet this list
    window_months: int | None = Field(default=None, ge=0)


class Where(SpecModel):
    """Keep a row only when the field is present, or its code (through `map`) is one of `in`."""

    field: str
    map: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    present: bool | None = None

    @model_validator(mode="after")
    def _one_test(self):
        if (self.in_ is None) == (self.present is None):
            raise ValueError("give one of `in` or `present`")
        return self


class AnnexPart(SpecModel):
    list: str
    where: Where | None = None
    columns: dict[str, Source]


class AnnexEntity(SpecModel):
    """One list (`list`, `columns`, `where`) or several (`parts`); `id` makes the key from the Excel row."""

    list: str | None = None
    where: Where | None = None
    columns: dict[str, Source] | None = None
    parts: tuple[AnnexPart, ...] | None = None
    id: str | None = None
    window_months: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _list_or_parts(self):
        if (self.parts is not None) == (self.list is not None or self.columns is not None):
            raise ValueError("give `list` and `columns`, or `parts`, not both")
        if self.parts is None and (self.list is None or self.columns is None):
            raise ValueError("give both `list` and `columns`")
        return self

    @property
    def all_parts(self) -> tuple[AnnexPart, ...]:
        return self.parts or (AnnexPart(list=self.list, where=self.where, columns=self.columns),)


class AnnexChildren(SpecModel):
    lists: tuple[str, ...]  # a child in several lists takes each field from the first that has it
    columns: dict[str, FieldRef]


class AnnexA(SpecModel):
    title: str
    header_rows_scanned: int = Field(ge=1)
    fields: dict[str, tuple[str, ...]]  # logical field -> header wordings (the first is the one reported)
    lists: dict[str, AnnexList]
    entities: dict[str, AnnexEntity]
    children: AnnexChildren
    coverage: dict[str, Coverage] = {}
    code_maps: CodeMaps = {}

    @model_validator(mode="after")
    def _names_defined(self):
        parts = [p for e in self.entities.values() for p in e.all_parts]
        lists = [p.list for p in parts] + list(self.children.lists)
        fields = [f for lst in self.lists.values() for f in lst.identify] \
            + [p.where.field for p in parts if p.where] \
            + [r.field for p in parts for s in p.columns.values() for r in source_fields(s)] \
            + [r.field for r in self.children.columns.values()]
        maps = [p.where.map for p in parts if p.where and p.where.map] \
            + [r.map for p in parts for s in p.columns.values() for r in source_fields(s) if r.map]\
            + [r.map for r in self.children.columns.values() if r.map]
        _defined("list", lists, self.lists)
        _defined("field", fields, self.fields)
        _defined("code map", maps, self.code_maps)
        return self

    def native_columns(self) -> dict[str, list[str]]:
        out = {name: [c for p in e.all_parts for c in p.columns] for name, e in self.entities.items()}
        out["children"] = list(self.children.columns)
        return out


# -- CIN census ------------------------------------------------------------------------------------

class AnyOf(SpecModel):
    """A flag from a list of codes: Y if any code but the `none` ones, N if only those, null if none."""

    any_of: str
    none: tuple[str, ...]


# an element path, the first present of several, or a flag from codes
ElementPath = str | tuple[str, ...] | AnyOf


class CensusRecord(SpecModel):
    element: str  # path under the parent record's element (children: under the root Message)
    parent: str | None = None
    id: str | None = None  # {parent}: the parent record's ID, {n}: position under the parent
    link: str | None = None  # the native column that gets the parent's ID
    columns: dict[str, ElementPath]


class CinCensus(SpecModel):
    title: str
    max_file_mb: float = Field(gt=0)
    records: dict[str, CensusRecord]
    coverage: dict[str, Coverage] = {}
    code_maps: CodeMaps = {}

    @model_validator(mode="after")
    def _parents_defined(self):
        _defined("record", [r.parent for r in self.records.values() if r.parent], self.records)
        return self

    def native_columns(self) -> dict[str, list[str]]:
        return {name: list(r.columns) + ([r.link] if r.link else []) for name, r in self.records.items()}


# -- SSDA903 ---------------------------------------------------------------------------------------

class Ssda903Xml(SpecModel):
    root: str
    max_file_mb: float = Field(gt=0)
    rename: dict[str, str] = {}  # XML element name -> CSV column name
    tables: dict[str, str] = {}  # a table nested in HEADER -> the kind each of its elements is a row of
    header_kinds: dict[str, str] = {}  # kind -> the HEADER field that, given, makes the HEADER a row of it


class Ssda903Part(SpecModel):
    kind: str  # the kind of file it comes from
    key: tuple[str, ...]  # DfE columns deduplicating records repeated across years (the latest wins)
    id: str | None = None  # the native key, from the key's columns
    columns: dict[str, FieldRef]  # native column -> DfE column


class Ssda903Entity(Ssda903Part):
    # the native column given the file's collection year (its 31 March), part of the record key
    year_column: str | None = None
    # rows of another kind with the same key values are the same records (fields filled from either)
    merge: Ssda903Part | None = None
    # covered_from: the 1 April starting the earliest year of its own files, or of the episodes files
    complete_from: Literal["own_years", "episodes"] | None = None

    @property
    def parts(self) -> tuple[Ssda903Part, ...]:
        return (self,) + ((self.merge,) if self.merge else ())


class Ssda903(SpecModel):
    title: str
    kinds: dict[str, tuple[str, ...]]  # kind -> the DfE columns its header row has (tried in this order)
    year_dates: dict[str, str] = {}  # kind -> the DfE date whose latest value places a CSV in its year
    xml: Ssda903Xml
    entities: dict[str, Ssda903Entity]
    coverage: dict[str, Coverage] = {}
    code_maps: CodeMaps = {}

    @model_validator(mode="after")
    def _kinds_defined(self):
        parts = [p for e in self.entities.values() for p in e.parts]
        _defined("kind", [p.kind for p in parts] + list(self.year_dates) + list(self.xml.tables.values())
                 + list(self.xml.header_kinds), self.kinds)
        _defined("code map", [r.map for p in parts for r in p.columns.values() if r.map], self.code_maps)
        return self

    def native_columns(self) -> dict[str, list[str]]:
        return {name: [c for p in e.parts for c in p.columns] + ([e.year_column] if e.year_column else [])
                for name, e in self.entities.items()}


FORMAT_MODELS = {"annex_a": AnnexA, "cin_census": CinCensus, "ssda903": Ssda903}


def _defined(what: str, named, defined) -> None:
    unknown = sorted(set(named) - set(defined))
    if unknown:
        raise ValueError(f"{what} {', '.join(unknown)} is named but not defined")

"""Realistic data-quality defects, planted in a share of rows so tests can check the gate catches them.

Each planted defect breaks exactly one rule of the extract contract in one cell (or, for
`no_overlaps`, makes one CP plan or CLA episode overlap the child's previous one) and is listed
with the rule the loader (pipeline/load/land.py) or the gate (pipeline/quality/gate.py) names it
by. Rules that need a second row to hold (the child's birth date, the row a duplicate copies, the
row an overlap overlaps) only use rows left clean, so every defect stays detectable. Each kind
appears at least once per LA when there are rows enough; after that kinds are drawn by KINDS.
A `condition` defect gives a row meeting an error condition's `if` a `then` cell that breaks it,
and is listed by the condition's own rule (legal_empty, worker_without_role, ...), as the loader
names it; that cell may break a second condition on it too (a blank issue_date beside a final order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.specs import (Column, Condition, Entity, checked_against_children, children_entity, code_lists, entities,
                            load_order)

from .draws import add_months
from .writer import Overrides

# relative frequency of each kind of defect, where a row can carry it
KINDS = {
    "required": 3, "invalid_date": 2, "invalid_datetime": 2, "unknown_code": 2, "invalid_code": 2,
    "invalid_flag": 1, "invalid_integer": 1, "below_minimum": 1, "duplicate_id": 1,
    "date_after_extract": 1, "end_before_start": 1.5, "orphan_child": 1, "before_birth": 0.5,
    "no_overlaps": 1, "condition": 1,
}
OVERLAP_ENTITIES = ("cp_plans", "cla_episodes")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Defect:
    entity: str
    row: int            # index in the table; the file's row number is row + 2 (after the header)
    column: str
    rule: str
    value: str | None


def plant_defects(tables: dict[str, dict[str, np.ndarray]], rate: float, rng: np.random.Generator,
                  extract: np.datetime64) -> tuple[Overrides, list[Defect]]:
    """Choose about `rate` of each entity's rows and give each one defect; returns the cells to
    write instead of the clean values, and the list of defects."""
    overrides: Overrides = {}
    defects: list[Defect] = []
    if rate <= 0:
        return overrides, defects
    planter = _Planter(tables, rng, extract)
    for name in load_order():                        # children first: later entities need clean children
        if name not in tables:                       # an optional entity not generated: not supplied
            continue
        entity = entities()[name]
        n = len(tables[name][entity.columns[0].name])
        k = min(int(rng.binomial(n, rate)), n // 4)
        rows = np.sort(rng.choice(n, size=k, replace=False)) if k else np.empty(0, np.int64)
        planter.touched[name] = set(rows.tolist())
        for row in rows.tolist():
            defect = planter.plant(entity, row)
            overrides.setdefault(name, {}).setdefault(defect.column, {})[row] = defect.value
            defects.append(defect)
    return overrides, defects


class _Planter:
    def __init__(self, tables, rng: np.random.Generator, extract: np.datetime64) -> None:
        self.tables, self.rng, self.extract = tables, rng, extract
        self.touched: dict[str, set[int]] = {}       # rows with a defect, or quarantined because of one
        self.planted: set[str] = set()
        self.kids = children_entity()
        self.child_row = {cid: i for i, cid in enumerate(tables[self.kids.name][self.kids.key].tolist())}
        self.codes = code_lists()

    # -- choosing --------------------------------------------------------------------------------
    def plant(self, entity: Entity, row: int) -> Defect:
        options = {kind: w for kind, w in KINDS.items() if self._candidates(kind, entity, row)}
        unplanted = [k for k in options if k not in self.planted]
        if unplanted:            # every kind the extract can carry appears at least once
            kind = self._pick(unplanted)
        else:
            kinds = list(options)
            weights = np.array([options[k] for k in kinds])
            kind = kinds[self.rng.choice(len(kinds), p=weights / weights.sum())]
        self.planted.add(kind)
        column, value, *rule = getattr(self, f"_{kind}")(entity, row, self._candidates(kind, entity, row))
        return Defect(entity.name, row, column, rule[0] if rule else kind, value)

    def _candidates(self, kind: str, entity: Entity, row: int) -> list:
        """The columns (or partner rows) of this row that can carry the kind of defect."""
        table = self.tables[entity.name]
        cols = entity.columns
        if kind == "required":
            out = [c for c in cols if c.required]
            # one_of: the first column, blanked where it is the only one given, breaks it (and is reported)
            if entity.one_of and all(_is_null(table[c][row]) for c in entity.one_of.columns[1:]):
                out.append(entity.column(entity.one_of.columns[0]))
            return out
        if kind in ("invalid_date", "invalid_datetime"):
            return [c for c in cols if c.type == kind.removeprefix("invalid_")]
        if kind == "unknown_code":
            return [c for c in cols if c.codes]
        if kind == "invalid_code":
            return [c for c in cols if c.pattern and not c.is_date]
        if kind == "invalid_flag":
            return [c for c in cols if c.type == "flag"]
        if kind in ("invalid_integer", "below_minimum"):
            return [c for c in cols if c.type == "integer" and (kind == "invalid_integer" or c.min is not None)]
        if kind == "date_after_extract":
            return [c for c in cols if c.is_date and not c.future_allowed]
        if kind == "end_before_start":
            return [o for o in entity.order if o.severity == "error" and not _is_null(table[o.earlier][row])]
        if kind == "duplicate_id":
            return [entity.column(entity.key)] if entity.key else []
        if kind == "orphan_child":
            return [entity.column(self.kids.key)] if checked_against_children(entity) else []
        if kind == "before_birth":
            return self._before_birth_columns(entity, row)
        if kind == "no_overlaps":
            return self._overlap_partner(entity, row)
        if kind == "condition":
            return [c for c in entity.conditions if c.severity == "error" and self._breakable(entity, c, row)]
        raise ValueError(kind)

    def _pick(self, items: list):
        return items[int(self.rng.integers(len(items)))]

    def _clean_child(self, child_id) -> int | None:
        i = self.child_row.get(child_id)
        return None if i is None or i in self.touched.get(self.kids.name, ()) else i

    # -- one method per kind: (column, raw text written instead of the clean value) --------------
    def _required(self, entity: Entity, row: int, columns: list[Column]):
        return self._pick(columns).name, None

    def _invalid_date(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        return col.name, self._malformed_date(self.tables[entity.name][col.name][row])

    def _invalid_datetime(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        value = self.tables[entity.name][col.name][row]
        clock = f"{int(self.rng.integers(8, 18)):02d}:{int(self.rng.integers(0, 60)):02d}"
        options = [f"{self._malformed_date(value)} {clock}",
                   f"{_iso(value)} {int(self.rng.integers(24, 30))}:{clock[3:]}",    # no such hour
                   f"{_iso(value)} {clock[:2]}.{clock[3:]}"]                          # 10.30
        return col.name, self._pick(options)

    def _unknown_code(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        valid = set(self.codes[col.codes])
        current = str(self.tables[entity.name][col.name][row] or self._pick(sorted(valid)))
        options = [current + "X", current + "0", "9" + current, "UNK", "?", "N/K", current[:1] + " " + current[1:]]
        return col.name, self._pick([o for o in options if o.strip().upper() not in valid])

    def _invalid_code(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        return col.name, self._pick(["B3", "1B", "Z", "B12", "SUITABLE", "b-1"])

    def _invalid_flag(self, entity: Entity, row: int, columns: list[Column]):
        return self._pick(columns).name, self._pick(["X", "Maybe", "2", "YN", "unknown"])

    def _invalid_integer(self, entity: Entity, row: int, columns: list[Column]):
        return self._pick(columns).name, self._pick(["one", "n/a", "2 plans", "II"])

    def _below_minimum(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        below = col.min - int(self.rng.integers(1, 3))  # entities.yml `min` is a float since decimal columns have one
        return col.name, str(int(below)) if col.type == "integer" else f"{below:g}"

    def _date_after_extract(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        later = self.extract + int(self.rng.integers(1, 400))
        return col.name, _iso(later) + (" 10:00:00" if col.type == "datetime" else "")

    def _end_before_start(self, entity: Entity, row: int, orders: list):
        order = self._pick(orders)
        table = self.tables[entity.name]
        start = np.datetime64(table[order.earlier][row])
        col = entity.column(order.later)
        if col.type == "datetime":     # on an earlier day (the loader compares the dates)
            day = start.astype("datetime64[D]") - int(self.rng.integers(1, 6))
            earlier = day + np.timedelta64(int(self.rng.integers(8 * 3600, 18 * 3600)), "s")
            return col.name, str(earlier.astype("datetime64[s]")).replace("T", " ")
        return col.name, _iso(start.astype("datetime64[D]") - int(self.rng.integers(1, 60)))

    def _duplicate_id(self, entity: Entity, row: int, columns: list[Column]):
        keys = self.tables[entity.name][entity.key]
        touched = self.touched[entity.name]
        for _ in range(20):          # another row, left clean, whose ID this row repeats
            other = int(self.rng.integers(len(keys)))
            if other != row and other not in touched:
                touched.add(other)   # it is quarantined too (both copies of the ID are)
                return entity.key, str(keys[other])
        return entity.key, None      # nothing clean to copy: blank it instead (very small files)

    def _orphan_child(self, entity: Entity, row: int, columns: list[Column]):
        # case-system IDs are 7 digits; 8 digits never match a child in the file
        return self.kids.key, str(int(self.rng.integers(10_000_000, 99_999_999)))

    def _before_birth_columns(self, entity: Entity, row: int) -> list[Column]:
        if not checked_against_children(entity):
            return []
        table = self.tables[entity.name]
        child = self._clean_child(table[self.kids.key][row])
        if child is None or self._birth_floor(child) is None:
            return []
        return [c for c in entity.columns if c.type == "date" and not _is_null(table[c.name][row])]

    def _birth_floor(self, child: int):
        """The earliest of the child's birth floor dates (entities.yml) that are given, or None."""
        kids = self.tables[self.kids.name]
        dates = [add_months(np.array([kids[t.column][child]], "datetime64[D]"), -t.months_before)[0]
                 for t in self.kids.birth_floor if not _is_null(kids[t.column][child])]
        return min(dates) if dates else None

    def _before_birth(self, entity: Entity, row: int, columns: list[Column]):
        col = self._pick(columns)
        child = self.child_row[self.tables[entity.name][self.kids.key][row]]
        return col.name, _iso(self._birth_floor(child) - int(self.rng.integers(30, 2000)))

    def _overlap_partner(self, entity: Entity, row: int) -> list[int]:
        """The child's previous plan or episode, if it lasts 2+ days and both rows stay clean."""
        if entity.name not in OVERLAP_ENTITIES:
            return []
        table = self.tables[entity.name]
        child = table["child_id"][row]
        if self._clean_child(child) is None:
            return []
        start = table["start_date"]
        same = np.flatnonzero(table["child_id"] == child)
        earlier = same[start[same] < start[row]]
        if not len(earlier):
            return []
        prev = int(earlier[np.argmax(start[earlier])])
        end = table["end_date"][prev]
        if prev in self.touched[entity.name] or (not _is_null(end) and end - start[prev] < np.timedelta64(2, "D")):
            return []
        return [prev]

    def _no_overlaps(self, entity: Entity, row: int, partners: list[int]):
        prev = partners[0]
        self.touched[entity.name].add(prev)
        return "start_date", _iso(self.tables[entity.name]["start_date"][prev] + 1)

    # -- conditions: a row meeting `if` given a `then` value that breaks it, listed by the rule's name --
    def _meets(self, entity: Entity, test: tuple, row: int) -> bool:
        column, wanted = test
        value = self.tables[entity.name][column][row]
        if wanted == "given":
            return not _is_null(value)
        if wanted == "empty":
            return _is_null(value)
        return not _is_null(value) and str(value) in wanted

    def _breaking_values(self, entity: Entity, condition: Condition) -> list:
        """Values of the `then` column that break the condition (None: a blank cell)."""
        column, wanted = condition.then
        col = entity.column(column)
        if wanted == "given":
            return [None]
        if wanted == "empty":            # a value the column holds elsewhere, so only this rule breaks
            given = [v for v in self.tables[entity.name][column][:1000] if not _is_null(v)]
            return [_iso(given[0]) if isinstance(given[0], np.datetime64) else str(given[0])] if given else []
        options = self.codes[col.codes] if col.codes else ("Y", "N") if col.type == "flag" else ()
        return [c for c in options if c not in wanted]

    def _breakable(self, entity: Entity, condition: Condition, row: int) -> bool:
        column = condition.then[0]
        return (column != condition.if_[0] and not entity.column(column).required    # blank required: `required`
                and self._meets(entity, condition.if_, row) and bool(self._breaking_values(entity, condition)))

    def _condition(self, entity: Entity, row: int, conditions: list[Condition]):
        condition = self._pick(conditions)
        return condition.then[0], self._pick(self._breaking_values(entity, condition)), condition.rule

    def _malformed_date(self, value) -> str:
        d = np.datetime64("2024-03-05") if _is_null(value) else np.datetime64(value, "D")
        y, m, day = (int(x) for x in str(d).split("-"))
        impossible = 31 if m in (4, 6, 9, 11) else 30 if m == 2 else 32
        options = [f"{y}-{m:02d}-{impossible}", f"{y}/{m:02d}/{day:02d}", f"{day:02d}.{m:02d}.{y}",
                   f"{day:02d}-{MONTHS[m - 1]}-{y}", f"{y}{m:02d}{day:02d}"]
        if day > 12:
            options.append(f"{m:02d}/{day:02d}/{y}")        # US order: month {day} does not exist
        return self._pick(options)


def _is_null(value) -> bool:
    return value is None or (isinstance(value, np.datetime64) and np.isnat(value))


def _iso(value) -> str:
    return str(np.datetime64(value, "D"))


def kind_of(rule: str) -> str:
    """The kind of defect a defects.csv rule is: a condition's own name (entities.yml) is a `condition`."""
    named = {c.rule for entity in entities().values() for c in entity.conditions}
    return "condition" if rule in named and rule not in KINDS else rule

"""The LA settings: pipeline/specs/la_settings.yml (each setting's type and range) and the check of
seeds/la_settings.csv against it (practice.md section 3). The seed's rules are stated here once;
a problem names the file, row, column, value and rule."""

import csv
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from .base import SpecModel, shown

COLUMNS = ["la_code", "setting", "value", "valid_from", "source"]
FLAG_VALUES = ("Y", "N")
ALL_LAS = "*"  # the row every LA takes unless it has its own
_INTEGER = re.compile(r"[+-]?[0-9]+")


class Setting(SpecModel):
    type: Literal["integer", "flag"]
    min: int | None = None
    max: int | None = None
    default: int | str
    about: str

    @model_validator(mode="after")
    def _consistent(self):
        if self.type == "flag" and (self.min is not None or self.max is not None):
            raise ValueError("a flag has no min or max")
        if self.type == "integer" and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("an integer setting needs min <= max")
        if self.broken(str(self.default)):
            raise ValueError(f"default {self.default} is not {self.kind}")
        return self

    @property
    def kind(self) -> str:
        return "Y or N" if self.type == "flag" else f"a whole number from {self.min} to {self.max}"

    def broken(self, value: str) -> bool:
        if self.type == "flag":
            return value not in FLAG_VALUES
        return not _INTEGER.fullmatch(value) or not self.min <= int(value) <= self.max


class SettingsSpec(SpecModel):
    settings: dict[str, Setting]


def seed_problems(spec: SettingsSpec, path: Path) -> list[str]:
    """Every way seeds/la_settings.csv breaks the seed's rules; empty when it is sound."""
    where = shown(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != COLUMNS:
        return [f"{where} row 1: the header is {','.join(rows[0]) if rows else '(none)'}, not {','.join(COLUMNS)} "
                "(rule la_settings_header)"]
    problems, seen, starred = [], {}, set()
    for n, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"{where} row {n}: {len(cells)} fields, not {len(COLUMNS)} (rule la_settings_fields)")
            continue
        row = dict(zip(COLUMNS, cells))
        la, name, value, valid_from = row["la_code"], row["setting"], row["value"], row["valid_from"]

        def bad(column: str, why: str, rule: str) -> None:
            problems.append(f"{where} row {n}, column {column}: {row[column]!r} {why} (rule {rule})")

        if not la:
            bad("la_code", "is empty: an LA code, or * for every LA", "la_settings_la_code")
        setting = spec.settings.get(name)
        if setting is None:
            bad("setting", f"is not a setting of pipeline/specs/la_settings.yml ({', '.join(spec.settings)})",
                "la_settings_unknown_setting")
        elif setting.broken(value):
            bad("value", f"is not {setting.kind}, as {name} must be", "la_settings_value")
        if valid_from and not _iso_date(valid_from):
            bad("valid_from", "is not a date (YYYY-MM-DD) or empty", "la_settings_valid_from")
        key = (la, name, valid_from)
        if key in seen:
            problems.append(f"{where} row {n}, columns la_code, setting, valid_from: {la!r}, {name!r}, {valid_from!r} "
                            f"repeat row {seen[key]}: one value per LA, setting and valid_from (rule la_settings_duplicate)")
        seen.setdefault(key, n)
        if la == ALL_LAS:
            starred.add(name)
    problems += [f"{where}: {name} has no {ALL_LAS} row, the value of every LA without its own "
                 f"(add {ALL_LAS},{name},{s.default},,<source>) (rule la_settings_default_row)"
                 for name, s in spec.settings.items() if name not in starred]
    return problems


def _iso_date(text: str) -> bool:
    try:
        return len(text) == 10 and date.fromisoformat(text) is not None
    except ValueError:
        return False


def value_in_force(path: Path, la_code: str, name: str, on: date) -> str | None:
    """The value of setting `name` for `la_code` on `on`, as int_la_settings gives dbt (practice.md
    section 2): the LA's own row with the latest valid_from on or before `on` (empty: always), else
    the `*` row's the same way. Read from a seed that passed seed_problems."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["setting"] == name and (r["valid_from"] or "") <= on.isoformat()]
    for who in (la_code, ALL_LAS):
        own = sorted((r for r in rows if r["la_code"] == who), key=lambda r: r["valid_from"] or "")
        if own:
            return own[-1]["value"]
    return None

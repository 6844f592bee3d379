"""The user documentation in docs/, generated from the files that define the behaviour, so it cannot
drift from them: the extract contract from pipeline/specs/entities.yml, seeds/code_lists.csv and the
raw source descriptions in dbt_project/models/staging/_sources.yml; the indicator definitions from
seeds/indicator_catalogue.csv; the published warehouse from dbt_project/models/published/_published.yml
(the same descriptions `dbt docs generate` shows) and pipeline/docs/ledger.yml (the tables publish
keeps itself). Prose around the tables lives in pipeline/docs/templates/.

`python -m pipeline.docs` rewrites docs/; `--check` exits 1 when the committed docs differ.
"""

import csv
import re
from pathlib import Path

import jinja2
import yaml

from pipeline.paths import DBT_PROJECT_DIR, PROJECT_DIR, SEEDS_DIR
from pipeline.specs import children_entity, code_lists, entities

DOCS_DIR = PROJECT_DIR / "docs"
TEMPLATES = Path(__file__).resolve().parent / "templates"
LEDGER = Path(__file__).resolve().parent / "ledger.yml"
PAGES = ("extracts.md", "indicators.md", "warehouse.md")
PERIODS = {"flow": "month, fytd, r12m (events dated in the period)", "snapshot": "month (as at its last day, M1)"}


class DocsError(Exception):
    """A source the docs are generated from says something the generator cannot state plainly."""


def cell(text) -> str:
    """A value fit for one Markdown table cell."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


def yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def extract_entities() -> list[dict]:
    raw = next(s for s in yml(DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml")["sources"] if s["name"] == "raw")
    described = {t["name"]: t for t in raw["tables"]}
    out = []
    for entity in entities().values():
        table = described.get(entity.name)
        if table is None:
            raise DocsError(f"raw.{entity.name} is not described in _sources.yml")
        notes = {c["name"]: c.get("description", "") for c in table.get("columns", [])}
        if list(notes) != entity.column_names:
            raise DocsError(f"_sources.yml columns of raw.{entity.name} {list(notes)} differ from entities.yml "
                            f"{entity.column_names}")
        columns = []
        for c in entity.columns:
            pattern = f"{c.pattern_means} (`{c.pattern}`)" if c.pattern_means else f"matches `{c.pattern}`"
            rule = f"code list `{c.codes}`" if c.codes else pattern if c.pattern else _bounds(c)
            columns.append({"name": c.name, "type": c.type, "required": "yes" if c.required else "no",
                            "rule": rule, "notes": cell(notes[c.name])})
        out.append({"name": entity.name, "required": entity.required, "key": entity.key,
                    "description": cell(re.split(r"\s*Landed by", table.get("description", ""))[0]),
                    "columns": columns, "order": entity.order, "unique": entity.unique,
                    "drop_extras": entity.drop_extras, "references": entity.references, "warnings": entity.warnings,
                    "conditions": [{"rule": c.rule, "severity": c.severity,
                                    "text": f"{_said(c.if_)} ⇒ {_said(c.then)}"} for c in entity.conditions]})
    return out


def _bounds(c) -> str:
    """A number column's bounds and decimals, in words."""
    parts = [] if c.min is None else [f"{'above' if c.min_exclusive else 'at least'} {c.min:g}"]
    parts += [] if c.max is None else [f"at most {c.max:g}"]
    parts += [] if c.scale is None else [f"at most {c.scale} decimals"]
    return ", ".join(parts)


def _said(test: tuple) -> str:
    """One side of an entities.yml condition in words."""
    column, wanted = test
    return f"{column} {'given' if wanted == 'given' else 'empty' if wanted == 'empty' else 'is ' + ' or '.join(wanted)}"
def birth_floor_text() -> str:
    """The birth floor of entities.yml in words: "date_of_birth (or more than 9 months before
    expected_date_of_birth when that is given)"."""
    first, *others = children_entity().birth_floor
    moved = [f"more than {t.months_before} months before {t.column}" if t.months_before else t.column for t in others]
    return first.column + (f" (or {' or '.join(moved)} when that is given)" if moved else "")


def split_definition(row: dict) -> tuple[str, str]:
    """(numerator, denominator) in words, from the catalogue's one-sentence definition and unit."""
    text = row["description"].rstrip(".")
    if row["unit"] == "count":
        return text, "none (a count)"
    if row["unit"] == "rate_per_10k":
        m = re.fullmatch(r"(\w+) / population aged 0-17 x 10,000(?: \(not annualised\))?", text)
        if not m:
            raise DocsError(f"{row['id']}: a rate's definition must read 'X / population aged 0-17 x 10,000'")
        return f"{m.group(1)} (x 10,000)", "population aged 0-17 (ONS mid-year estimate)"
    if row["unit"] == "average":
        m = re.fullmatch(r"(.+?), divided by (.+?)(?:; null on .+)?", text)
        if not m:
            raise DocsError(f"{row['id']}: an average's definition must read '<numerator>, divided by <denominator>'")
        return m.group(1), m.group(2)
    if row["unit"] in ("days", "weeks"):
        # "Of <cohort>, the mean of <days>[ in weeks]" or "Mean <days> over <cohort>. <its terms>"
        m = re.fullmatch(r"Of (.+?), the mean of (.+?)(?: in weeks)?", text)
        if m:
            return f"{m.group(2)}, summed over the cohort", m.group(1)
        m = re.fullmatch(r"Mean (.+?) over (.+?)(?:\. .+)?", text, re.S)
        if m:
            return f"{m.group(1)} summed over the cohort (whole days)", m.group(2)
        raise DocsError(f"{row['id']}: a days or weeks mean's definition must read 'Of <cohort>, the mean of "
                        "<days>' or 'Mean <days> over <cohort>'")
    m = re.fullmatch(r"Of (.+?), the percentage (with|where|whose|held|for which) (.+)", text)
    if m:
        return f"those {m.group(2)} {m.group(3)}", m.group(1)
    m = re.fullmatch(r"(\w+) as a percentage of (\w+) (.+)", text)
    if m:
        return m.group(1), f"{m.group(2)} {m.group(3)}"
    raise DocsError(f"{row['id']}: a percent's definition must read 'Of <denominator>, the percentage with ...'")


def indicators() -> list[dict]:
    with open(SEEDS_DIR / "indicator_catalogue.csv", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["display_order"]))
    out = []
    for row in rows:
        numerator, denominator = split_definition(row)
        out.append({**{k: cell(v) for k, v in row.items()}, "numerator": cell(numerator),
                    "denominator": cell(denominator), "periods": PERIODS[row["kind"]],
                    "needs": ", ".join(row["needs"].split(";")), "reference": cell(row["reference"]) or "none"})
    return out


def published_tables() -> list[dict]:
    spec = yml(DBT_PROJECT_DIR / "models" / "published" / "_published.yml")
    out = []
    for model in spec["models"]:
        name = "indicator_catalogue" if model["name"] == "published_indicator_catalogue" else model["name"]
        # the key: the first `unique` of the model's checks test (dbt_project/tests/generic/checks.sql)
        keys = [key for t in model.get("data_tests", []) if isinstance(t, dict) and "checks" in t
                for key in t["checks"]["arguments"].get("unique", [])]
        out.append(table_entry(f"published.{name}", model, keys[0] if keys else None, "dbt model " + model["name"]))
    for name, table in yml(LEDGER).items():
        out.append(table_entry(name, table, table.get("key"), "pipeline/publish.py"))
    return out


# the dbt contracts use the type names both engines accept (dbt_project/macros/portable.sql); the docs
# give the type of the published DuckDB file, which is what a reader sees
PUBLISHED_TYPE = {"string": "varchar"}


def table_entry(name: str, spec: dict, key, built_by: str) -> dict:
    missing = [c["name"] for c in spec["columns"] if not c.get("description")]
    if missing or not spec.get("description"):
        raise DocsError(f"{name}: describe the table and every column (undescribed: {missing})")
    return {"name": name, "description": cell(spec["description"]), "grain": cell({**(spec.get("meta") or {}), **((spec.get("config") or {}).get("meta") or {})}.get("grain", "")),
            "key": ", ".join(key) if key else "none", "built_by": built_by,
            "columns": [{"name": c["name"], "type": PUBLISHED_TYPE.get(c.get("data_type", ""), c.get("data_type", "")), "notes": cell(c["description"])}
                        for c in spec["columns"]]}


def render() -> dict[str, str]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    context = {"entities": extract_entities(), "birth_floor": birth_floor_text(), "code_lists": code_lists(), "indicators": indicators(),
               "tables": published_tables()}
    return {page: env.get_template(page).render(**context) for page in PAGES}


def write(out: Path = DOCS_DIR) -> list[Path]:
    written = []
    for page, text in render().items():
        (out / page).write_text(text)
        written.append(out / page)
    return written


def stale(out: Path = DOCS_DIR) -> list[str]:
    """Pages under out/ that differ from what the sources generate now."""
    return [page for page, text in render().items() if not (out / page).exists() or (out / page).read_text() != text]

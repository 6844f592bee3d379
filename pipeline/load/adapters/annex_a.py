"""Ofsted ILACS Annex A workbook (sheets List 1 ... List 11) -> native entities.

Mapping, header variants and code maps: pipeline/specs/annex_a.yml. Each list is a sheet found by
its headers; each row of a mapped list is one native record, named "row N" (the Excel row) of its
sheet. Annex A lists only the last six months, so every entity carries the coverage that keeps
indicators to the months the lists are complete for (docs/statutory_formats.md).
"""

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.load.adapters.common import (
    Adapted, ReadContext, code_maps, column_value, coverage_for, make_source,
    normalise_code, normalise_header, window_start,
)
from pipeline.load.readers import cell_text
from pipeline.specs import entities, format_spec
from pipeline.specs.formats import (
    AnnexA, AnnexChildren, AnnexEntity, AnnexList, AnnexPart, Concat, Constant, FieldRef, Source, Where, source_fields,
)

FORMAT = "annex_a"
TITLE = "Annex A"


@dataclass
class Sheet:
    name: str
    list_key: str
    header_row: int
    columns: dict[str, int]  # field -> column index
    headers: list[str]
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (Excel row, values)


def detect(candidates: list[Path]) -> list[Path]:
    """Workbooks among the candidates with at least one sheet recognised as an Annex A list."""
    found = []
    for path in candidates:
        if path.suffix.lower() == ".xlsx" and not path.name.startswith("~$"):
            try:
                sheets, _ = _scan(path, with_rows=False)
            except Exception:  # not a readable workbook: not an Annex A either
                continue
            if sheets:
                found.append(path)
    return found


def read(files: list[Path], ctx: ReadContext) -> Adapted:
    out = Adapted(FORMAT, TITLE)
    if len(files) > 1:
        out.problems.append(f"{ctx.la_code}: {len(files)} Annex A workbooks ({', '.join(f.name for f in files)}); "
                            f"an extract folder holds one (rule statutory_ambiguous)")
        return out
    path = files[0]
    sheets, notes = _scan(path, with_rows=True)
    out.warnings += [f"{ctx.la_code}/{path.name}: {note} (rule annex_a_sheet)" for note in notes]
    spec = format_spec(FORMAT)
    for entity_name, entity_spec in spec.entities.items():
        source, missing = _entity_source(entity_name, entity_spec, sheets, path, ctx)
        out.warnings += [f"{ctx.la_code}/{path.name}: {why}, which {entity_name} need; {entity_name} are not read "
                         f"from it and their indicators are absent (rule annex_a_column_missing)" for why in missing]
        if source:
            out.sources[entity_name] = source
    children = _children(spec.children, sheets, path)
    if children:
        out.sources["children"] = children
    return out


def _entity_source(entity_name: str, entity_spec: AnnexEntity, sheets: dict[str, Sheet], path: Path, ctx: ReadContext):
    """One entity's rows from its list(s), with the coverage of the list's window; and why a list
    that lacks a column the entity requires was not read."""
    spec = format_spec(FORMAT)
    records, used, missing = [], [], []
    parts = entity_spec.all_parts
    for part in parts:
        sheet = sheets.get(part.list)
        if sheet is None:
            continue
        absent = _missing_required(entity_name, part, sheet)
        if absent:
            missing.append(f"sheet {sheet.name} has no {' / '.join(absent)} column")
            continue
        used.append(sheet)
        for excel_row, values in sheet.rows:
            if not _kept(part.where, sheet, values):
                continue
            record = _record(entity_name, part.columns, sheet, values)
            if entity_spec.id:
                record[entities()[entity_name].key] = entity_spec.id.format(row=excel_row)
            record["_row"] = excel_row
            record["_location"] = f"row {excel_row}" if len(parts) == 1 else f"sheet {sheet.name}, row {excel_row}"
            records.append(record)
    if not used:
        return None, missing
    window = entity_spec.window_months if entity_spec.window_months is not None \
        else spec.lists[parts[0].list].window_months
    start = ctx.complete_from or (window_start(ctx.extract_date, window) if window is not None else None)
    why = (f"Annex A lists only the {window} months before the extract" if window
           else "Annex A shows only the state at the extract date")
    coverage = coverage_for(spec.coverage.get(entity_name), start, why, ctx.extract_date)
    # one label per entity, so findings group by entity: the sheet, or the sheets it came from
    source = make_source(entity_name, records, path, sheet=used[0].name if len(parts) == 1 else None,
                         name=None if len(parts) == 1 else f"{path.name}[{', '.join(s.name for s in used)}]",
                         coverage=coverage)
    return source, missing


def _scan(path: Path, with_rows: bool) -> tuple[dict[str, Sheet], list[str]]:
    """The workbook's sheets recognised as Annex A lists, by their headers; notes on sheets named
    like a list that could not be recognised."""
    from openpyxl import load_workbook

    spec = format_spec(FORMAT)
    fields = {f: {normalise_header(h) for h in headers} for f, headers in spec.fields.items()}
    wb = load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, Sheet] = {}
    notes: list[str] = []
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":  # a hidden sheet is never read (a stale copy, working notes)
                notes.append(f"sheet {ws.title} is hidden and was not read")
                continue
            ws.reset_dimensions()  # rows as far as their real cells: a padded <dimension> would cost gigabytes
            rows = ws.iter_rows(values_only=True)
            sheet = None
            for n, values in enumerate(rows, start=1):
                if n > spec.header_rows_scanned:
                    break
                sheet = _identify(ws.title, n, values, fields, spec.lists)
                if sheet:
                    break
            if sheet is None:
                named = f"list_{normalise_header(ws.title).removeprefix('list ')}"
                if named in spec.lists and named in _used_lists(spec):
                    notes.append(f"sheet {ws.title} is not recognised as {spec.lists[named].title}: "
                                 f"no header row with {', '.join(spec.lists[named].identify)}")
                continue
            if sheet.list_key in sheets:
                notes.append(f"sheet {ws.title} is also {spec.lists[sheet.list_key].title}; "
                             f"only sheet {sheets[sheet.list_key].name} is read")
                continue
            if with_rows:
                sheet.rows = [(n, v) for n, v in enumerate(rows, start=sheet.header_row + 1)
                              if any(cell_text(x, False) for x in v)]
            sheets[sheet.list_key] = sheet
    finally:
        wb.close()
    return sheets, notes


def _identify(title: str, row: int, values: tuple, fields: dict[str, set[str]],
              lists: dict[str, AnnexList]) -> Sheet | None:
    headers = [str(v).strip() if v is not None else "" for v in values]
    normalised = [normalise_header(h) for h in headers]
    columns = {}
    for name, variants in fields.items():
        index = next((i for i, h in enumerate(normalised) if h in variants), None)
        if index is not None:
            columns[name] = index
    candidates = [key for key, lst in lists.items() if all(f in columns for f in lst.identify)]
    if not candidates:
        return None
    # a sheet matching several lists: the one its name says, else the most specific
    named = f"list_{normalise_header(title).removeprefix('list ')}"
    best = max(candidates, key=lambda key: (key == named, len(lists[key].identify)))
    return Sheet(title, best, row, columns, headers)


def _used_lists(spec: AnnexA) -> set[str]:
    used = set(spec.children.lists)
    for entity_spec in spec.entities.values():
        used |= {part.list for part in entity_spec.all_parts}
    return used


def _missing_required(entity_name: str, part: AnnexPart, sheet: Sheet) -> list[str]:
    """Headers (the spec's first wording) of the fields that required native columns need."""
    spec = format_spec(FORMAT)
    entity = entities()[entity_name]
    names = [r.field for name, s in part.columns.items() if entity.column(name).required for r in source_fields(s)]
    if part.where:
        names.append(part.where.field)
    return [spec.fields[f][0] for f in names if f not in sheet.columns]


def _kept(where: Where | None, sheet: Sheet, values: tuple) -> bool:
    if not where:
        return True
    index = sheet.columns[where.field]
    text = cell_text(values[index] if index < len(values) else None, False)
    if where.present:
        return text is not None
    code = normalise_code(text, code_maps(FORMAT).get(where.map), where.in_)
    return code in where.in_


def _record(entity_name: str, columns: dict[str, Source], sheet: Sheet, values: tuple) -> dict:
    entity = entities()[entity_name]
    record = {}
    for name, source in columns.items():
        if isinstance(source, Constant):
            record[name] = source.value
        elif isinstance(source, Concat):
            record[name] = _concat(source.concat, entity.column(name), sheet, values)
        else:
            record[name] = column_value(_cell(sheet, values, source.field), entity.column(name), source, FORMAT)
    return record


def _concat(parts: tuple[FieldRef, ...], column, sheet: Sheet, values: tuple) -> str | None:
    """A code made of several cells (care leaver accommodation: type letter + suitability digit).
    If only some cells are filled, the cells as supplied, so land.py quarantines them as they were."""
    raws = [cell_text(_cell(sheet, values, p.field), False) for p in parts]
    if not any(raws):
        return None
    codes = [column_value(_cell(sheet, values, p.field), column, p, FORMAT) for p in parts]
    return "".join(codes) if all(codes) else " / ".join(r or "" for r in raws)


def _cell(sheet: Sheet, values: tuple, field_name: str):
    index = sheet.columns.get(field_name)
    return values[index] if index is not None and index < len(values) else None


def _children(spec: AnnexChildren, sheets: dict[str, Sheet], path: Path):
    """One row per child in any list: each field from the first list (in spec order) that has it."""
    entity = entities()["children"]
    merged: dict[str, dict] = {}
    for list_key in spec.lists:
        sheet = sheets.get(list_key)
        if sheet is None or "child_id" not in sheet.columns:
            continue
        for excel_row, values in sheet.rows:
            record = {name: column_value(_cell(sheet, values, s.field), entity.column(name), s, FORMAT)
                      for name, s in spec.columns.items()}
            child = record["child_id"]
            if child is None:
                continue  # the event row itself is quarantined (child_id required)
            if child in merged:
                merged[child].update({k: v for k, v in record.items() if merged[child].get(k) is None})
            else:
                merged[child] = {**record, "_row": excel_row, "_location": f"sheet {sheet.name}, row {excel_row}"}
    return make_source("children", list(merged.values()), path, name=f"{path.name}[children of all lists]")

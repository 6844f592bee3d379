"""The scorecard as an Excel workbook (XlsxWriter): a sheet per area, RAG as fill plus text,
numbers as numbers with formats, frozen headers, and sheets of breakdowns, data quality,
restated figures and definitions. The regional workbook has a sheet per area with LA columns."""

from pathlib import Path

import xlsxwriter

from pipeline.report.areas import DIMENSION_LABELS, category_label
from pipeline.report.charts import BENCHMARKS
from pipeline.report.data import TREND_MONTHS, LaReport, RegionalReport, months_back
from pipeline.report.formatting import (
    EXCEL_FORMATS, POLARITY_LABELS, RAG_LABELS, RAG_MEANING, SUPPRESSED, UNIT_LABELS, month_label,
)

HEADER_ROW = 3  # 0-based: title, subtitle, group headings, then the column headings
RAG_FILLS = {"green": ("#C6EFCE", "#006100"), "amber": ("#FFEB9C", "#7F4F00"), "red": ("#FFC7CE", "#9C0006")}
DIRECTION_COLOURS = {"improving": "#006100", "worsening": "#9C0006"}
# the workbook's XML parts are zipped from memory, not each from a temporary file (a quarter less time)
IN_MEMORY = {"in_memory": True}


class _Formats:
    """XlsxWriter formats are per workbook: make each once."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self._cache: dict[tuple, object] = {}
        self.title = self.get(bold=True, font_size=14)
        self.subtitle = self.get(italic=True, font_color="#555555")
        self.header = self.get(bold=True, text_wrap=True, valign="bottom", bottom=2, bg_color="#F3F5F8")
        self.group = self.get(bold=True, font_color="#1D4F91")
        self.wrap = self.get(text_wrap=True, valign="top")
        self.text = self.get(valign="top")
        self.integer = self.get(num_format="#,##0", valign="top")
        self.date = self.get(num_format="d mmm yyyy", valign="top")
        self.datetime = self.get(num_format="d mmm yyyy hh:mm", valign="top")
        self.muted = self.get(font_color="#666666", valign="top")

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(props)
        return self._cache[key]

    def number(self, unit: str | None):
        return self.get(num_format=EXCEL_FORMATS.get(unit, "0.0"), valign="top")

    def rag(self, rag: str):
        fill, font = RAG_FILLS[rag]
        return self.get(bg_color=fill, font_color=font, bold=True, align="center", valign="top", border=1)

    def direction(self, direction: str):
        return self.get(font_color=DIRECTION_COLOURS.get(direction, "#555555"), valign="top")


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    while name in used:
        name = name[:28] + f" {len(used)}"
    used.add(name)
    return name


def _write_headers(sheet, f: _Formats, headers: list[tuple[str, int]], row: int = HEADER_ROW) -> None:
    for col, (text, width) in enumerate(headers):
        sheet.write_string(row, col, text, f.header)
        sheet.set_column(col, col, width)
    sheet.set_row(row, 32)
    sheet.freeze_panes(row + 1, 3 if len(headers) > 3 else 1)
    sheet.autofilter(row, 0, row, len(headers) - 1)


def _number(sheet, row, col, value, fmt) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)


def write_la_workbook(report: LaReport, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True, **IN_MEMORY})
    f, used = _Formats(book), set()
    month = month_label(report.month_end)
    _about_sheet(book.add_worksheet(_sheet_name("About", used)), f, report)
    trend_months = [months_back(report.month_end, n) for n in range(TREND_MONTHS - 1, -1, -1)]
    for section in report.sections:
        if not section.rows:
            continue
        sheet = book.add_worksheet(_sheet_name(section.area.title, used))
        sheet.write_string(0, 0, f"{section.area.title} – {report.la_name} ({report.la_code})", f.title)
        sheet.write_string(1, 0, f"Month ending {report.month_end:%d %B %Y}. RAG: green {RAG_MEANING['green']}, "
                                 f"amber {RAG_MEANING['amber']}, red {RAG_MEANING['red']}.", f.subtitle)
        headers = [("Ref", 9), ("Indicator ID", 20), ("Measure", 44), ("Good looks like", 17), ("Unit", 11),
                   ("This month", 11), ("Numerator", 11), ("Denominator", 12), ("Previous month", 11),
                   ("Same month last year", 12), ("FYTD", 10), ("12 months", 10), ("Target", 9),
                   ("Amber tolerance", 10), ("RAG", 9), ("vs previous month", 14), ("vs same month last year", 14)]
        for _, label in BENCHMARKS:
            headers += [(label, 11), (f"{label} period", 10)]
        first_trend = len(headers)
        headers += [(month_label(m, True).title(), 9) for m in trend_months]
        sheet.write_string(2, first_trend, f"Monthly figures, {month_label(trend_months[0])} to {month}", f.group)
        _write_headers(sheet, f, headers)
        for i, row in enumerate(section.rows, start=HEADER_ROW + 1):
            ind, c = row.indicator, row.current
            num = f.number(ind.unit)
            sheet.write_string(i, 0, ind.reference or "", f.text)
            sheet.write_string(i, 1, ind.id, f.text)
            sheet.write_string(i, 2, ind.name, f.wrap)
            sheet.write_string(i, 3, POLARITY_LABELS.get(ind.polarity, ""), f.text)
            sheet.write_string(i, 4, UNIT_LABELS.get(ind.unit, ind.unit or ""), f.text)
            _number(sheet, i, 5, c["value"], num)
            _number(sheet, i, 6, c["numerator"], f.integer)
            _number(sheet, i, 7, c["denominator"], f.integer)
            for col, key in ((8, "previous_month_value"), (9, "same_month_last_year_value"), (10, "fytd_value"),
                             (11, "r12m_value"), (12, "target"), (13, "amber_tolerance")):
                _number(sheet, i, col, c[key], num)
            if c["rag"]:
                sheet.write_string(i, 14, RAG_LABELS[c["rag"]], f.rag(c["rag"]))
            else:
                sheet.write_string(i, 14, "Not rated", f.muted)
            sheet.write_string(i, 15, c["direction_vs_previous_month"], f.direction(c["direction_vs_previous_month"]))
            sheet.write_string(i, 16, c["direction_vs_last_year"], f.direction(c["direction_vs_last_year"]))
            for n, (key, _) in enumerate(BENCHMARKS):
                _number(sheet, i, 17 + 2 * n, c[f"benchmark_{key}"], num)
                if c[f"benchmark_{key}_period"]:
                    sheet.write_string(i, 18 + 2 * n, c[f"benchmark_{key}_period"], f.muted)
            by_month = {r["period_end"]: r["value"] for r in row.history}
            for n, m in enumerate(trend_months):
                _number(sheet, i, first_trend + n, by_month.get(m), num)
        _cross_tabs(sheet, f, section.tables, HEADER_ROW + len(section.rows) + 2)
    _breakdown_sheet(book.add_worksheet(_sheet_name("Breakdowns", used)), f, report, trend_months)
    _quality_sheet(book.add_worksheet(_sheet_name("Data quality", used)), f, report)
    _restatement_sheet(book.add_worksheet(_sheet_name("Restated figures", used)), f, report)
    _definitions_sheet(book.add_worksheet(_sheet_name("Definitions", used)), f, report)
    book.close()
    return path


def _about_sheet(sheet, f: _Formats, report: LaReport) -> None:
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 90)
    sheet.write_string(0, 0, f"Children's services scorecard – {report.la_name}", f.title)
    pub, last = report.publication, report.last_published
    lines = [
        ("LA", f"{report.la_name} ({report.la_code})"),
        ("Month ending", report.month_end),
        ("Figures from the extract of", last["extract_date"] if last else None),
        ("Published", last["finished_at"] if last else None),
        ("Latest refresh", "published" if pub and pub.get("status") == "published"
         else f"held back: {pub['reason']}" if pub else "none recorded"),
        ("Units", "Percentages are 0-100; rates are per 10,000 children aged 0-17; counts are numbers."),
        ("RAG", "Green " + RAG_MEANING["green"] + "; amber " + RAG_MEANING["amber"] + "; red " + RAG_MEANING["red"]
         + ". Judged on the month's figure as displayed (1 decimal place)."),
        ("Direction of travel", "improving / worsening judged by each measure's polarity; increased / decreased "
                                "for measures with no better direction; not comparable when a figure is missing."),
        ("Benchmarks", "The latest period published for each comparator (its period is beside it). Benchmarks of "
                       "rates per 10,000 of events are a year's rate: compare them with the 12 months column."),
    ]
    for i, (label, value) in enumerate(lines, start=2):
        sheet.write_string(i, 0, label, f.get(bold=True, valign="top"))
        if value is None:
            sheet.write_string(i, 1, "–", f.wrap)
        elif hasattr(value, "hour"):
            sheet.write_datetime(i, 1, value, f.datetime)
        elif hasattr(value, "year"):
            sheet.write_datetime(i, 1, value, f.date)
        else:
            sheet.write_string(i, 1, str(value), f.wrap)


def _cross_tabs(sheet, f: _Formats, tables, row: int) -> None:
    """The area's tables of the month (case type by supervision band, teams) below its measures."""
    for table in tables:
        sheet.write_string(row, 0, table.title, f.group)
        sheet.write_string(row + 1, 0, table.row_label, f.header)
        for n, (heading, _) in enumerate(table.columns, start=1):
            sheet.write_string(row + 1, n, heading, f.header)
        for i, (heading, values) in enumerate(table.rows, start=row + 2):
            sheet.write_string(i, 0, heading, f.text)
            for n, value in enumerate(values, start=1):
                _number(sheet, i, n, value, f.number(table.columns[n - 1][1]))
        row += len(table.rows) + 3


def _breakdown_sheet(sheet, f: _Formats, report: LaReport, months) -> None:
    sheet.write_string(0, 0, f"Breakdowns – {report.la_name}", f.title)
    sheet.write_string(1, 0, "Each measure in each category, each month (numbers of children or plans; percents and "
                             "averages within the category).", f.subtitle)
    headers = [("Measure", 40), ("Breakdown", 24), ("Code", 8), ("Category", 40)]
    headers += [(month_label(m, True).title(), 9) for m in months]
    _write_headers(sheet, f, headers)
    row = HEADER_ROW + 1
    for section in report.sections:
        for b in section.breakdowns:
            values: dict[str, dict] = {}
            for r in b.rows:
                values.setdefault(r["dimension_value"], {})[r["period_end"]] = r["value"]
            for code in sorted(values):
                sheet.write_string(row, 0, b.indicator.name, f.text)
                sheet.write_string(row, 1, DIMENSION_LABELS.get(b.dimension, b.dimension), f.text)
                sheet.write_string(row, 2, code, f.text)
                sheet.write_string(row, 3, category_label(b.dimension, code), f.text)
                for n, m in enumerate(months):
                    _number(sheet, row, 4 + n, values[code].get(m), f.number(b.indicator.unit))
                row += 1


def _quality_sheet(sheet, f: _Formats, report: LaReport) -> None:
    sheet.write_string(0, 0, f"Data quality checks of the latest refresh – {report.la_name}", f.title)
    pub = report.publication
    status = (f"Extract of {pub['extract_date']}: {pub['status'].replace('_', ' ')}"
              + (f" – {pub['reason']}" if pub.get("reason") else "")) if pub else "No publication recorded."
    sheet.write_string(1, 0, status, f.subtitle)
    _write_headers(sheet, f, [("Dataset", 20), ("Check", 36), ("Severity", 9), ("Passed", 8),
                              ("Rows checked", 12), ("Rows failed", 11), ("Details", 90)])
    for i, q in enumerate(report.quality, start=HEADER_ROW + 1):
        sheet.write_string(i, 0, q["entity"] or "", f.text)
        sheet.write_string(i, 1, q["check_name"] or "", f.text)
        sheet.write_string(i, 2, q["severity"] or "", f.text)
        sheet.write_string(i, 3, "yes" if q["passed"] else "no", f.text if q["passed"] else f.rag("red"))
        _number(sheet, i, 4, q["rows_checked"], f.integer)
        _number(sheet, i, 5, q["rows_failed"], f.integer)
        sheet.write_string(i, 6, (q["details"] or "")[:32000], f.text)


def _restatement_sheet(sheet, f: _Formats, report: LaReport) -> None:
    sheet.write_string(0, 0, f"Monthly figures restated since first published – {report.la_name}", f.title)
    sheet.write_string(1, 0, "A figure changes after publication when work is recorded late (backdated).", f.subtitle)
    _write_headers(sheet, f, [("Indicator ID", 20), ("Measure", 44), ("Month", 12), ("First published", 12),
                              ("Now", 12), ("Change", 10), ("First extract", 12), ("Latest extract", 12),
                              ("Publications", 12)])
    for i, x in enumerate(report.restatements, start=HEADER_ROW + 1):
        ind = x["indicator"]
        num = f.number(ind.unit if ind else None)
        sheet.write_string(i, 0, x["indicator_id"], f.text)
        sheet.write_string(i, 1, ind.name if ind else "", f.text)
        sheet.write_datetime(i, 2, x["period_end"], f.get(num_format="mmm yyyy", valign="top"))
        _number(sheet, i, 3, x["first_published_value"], num)
        _number(sheet, i, 4, x["latest_value"], num)
        _number(sheet, i, 5, x["difference"], num)
        for col, key in ((6, "first_extract_date"), (7, "latest_extract_date")):
            if x[key] is not None:
                sheet.write_datetime(i, col, x[key], f.date)
        _number(sheet, i, 8, x["publications"], f.integer)


def _definitions_sheet(sheet, f: _Formats, report: LaReport) -> None:
    sheet.write_string(0, 0, "Definitions (the indicator catalogue)", f.title)
    _write_headers(sheet, f, [("Indicator ID", 20), ("Measure", 44), ("Area", 22), ("Reference", 10),
                              ("Definition", 90), ("Kind", 9), ("Unit", 18), ("Good looks like", 18),
                              ("Needs", 26)])
    for i, ind in enumerate(report.catalogue, start=HEADER_ROW + 1):
        for col, value in enumerate([ind.id, ind.name, ind.area.title, ind.reference or "", ind.description or "",
                                     ind.kind or "", UNIT_LABELS.get(ind.unit, ind.unit or ""),
                                     POLARITY_LABELS.get(ind.polarity, ""), ind.needs or ""]):
            sheet.write_string(i, col, value, f.wrap if col == 4 else f.text)


def write_regional_workbook(report: RegionalReport, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), IN_MEMORY)
    f, used = _Formats(book), set()
    for area, rows in report.sections:
        sheet = book.add_worksheet(_sheet_name(area.title, used))
        sheet.write_string(0, 0, f"{area.title} – regional view, month ending {report.month_end:%d %B %Y}", f.title)
        sheet.write_string(1, 0, f"From the shareable tables: {SUPPRESSED} = suppressed (rests on 0 to 4 children "
                                 "or events); other counts are rounded to the nearest 5. "
                                 "Flow rates per 10,000 are over the 12 months to date.", f.subtitle)
        headers = [("Indicator ID", 20), ("Measure", 44), ("Unit", 16)]
        headers += [(f"{name} ({code})", 14) for code, name in report.las]
        headers += [("England", 10), ("England period", 10)]
        _write_headers(sheet, f, headers)
        for i, row in enumerate(rows, start=HEADER_ROW + 1):
            ind = row.indicator
            num = f.number(ind.unit)
            sheet.write_string(i, 0, ind.id, f.text)
            sheet.write_string(i, 1, ind.name + (" (12 months)" if row.shows_r12m else ""), f.wrap)
            sheet.write_string(i, 2, UNIT_LABELS.get(ind.unit, ind.unit or ""), f.text)
            for n, (code, _) in enumerate(report.las):
                cell = row.cells[code]
                if cell["suppressed"]:
                    sheet.write_string(i, 3 + n, SUPPRESSED, f.muted)
                else:
                    _number(sheet, i, 3 + n, cell["value"], num)
            _number(sheet, i, 3 + len(report.las), row.england, num)
            if row.england_period:
                sheet.write_string(i, 4 + len(report.las), row.england_period, f.muted)
    book.close()
    return path

"""Everything a report shows, read from the published warehouse (schema `published` only).

The LA report reads published.scorecard, indicator_values (breakdowns), indicator_catalogue,
publications, data_quality and the indicator_restatements view; the regional view reads only the
`_shareable` tables (small numbers suppressed) and the catalogue.
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from pipeline.errors import UsageError
from pipeline.paths import SEEDS_DIR, history_months
from pipeline.settings import settings
from pipeline.report.areas import (AREAS, CROSS_SEPARATOR, DIMENSION_LABELS, OTHER, TEAM, Area, area_of,
                                   category_label, category_order)

TREND_MONTHS = 13  # sparklines: the month and the same month a year before
HISTORY_MONTHS = history_months()  # area pages: every month published


class ReportError(UsageError):
    """The warehouse cannot give the report asked for (no such LA or month, not a published warehouse)."""


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    description: str | None
    kind: str | None
    unit: str | None
    polarity: str | None
    needs: str | None
    reference: str | None
    family: str | None
    display_order: int | None

    @property
    def area(self) -> Area:
        return area_of(self.family, self.id)

    @property
    def annual_benchmarks(self) -> bool:
        """Benchmarks of flow rates per 10,000 are a year's rate: they compare with the rolling 12 months."""
        return self.kind == "flow" and self.unit == "rate_per_10k"


@dataclass
class ScorecardRow:
    indicator: Indicator
    current: dict  # the published.scorecard row of the report month
    history: list[dict]  # scorecard rows of up to HISTORY_MONTHS months ending with it, oldest first
    previous_restated: bool = False  # last month's figure changed since it was first published

    @property
    def trend(self) -> list[dict]:
        return self.history[-TREND_MONTHS:]


@dataclass
class Breakdown:
    indicator: Indicator
    dimension: str
    rows: list[dict]  # indicator_values rows (period_end, dimension_value, value), months of the trend


@dataclass
class CrossTab:
    """The report month's figures as a table: a row per value of one dimension, a column per value of another
    (case type by supervision band) or per measure (teams)."""
    title: str
    row_label: str
    columns: list[tuple[str, str | None]]  # (heading, unit)
    rows: list[tuple[str, list[float | None]]]  # (row heading, a value per column)


@dataclass
class AreaSection:
    area: Area
    rows: list[ScorecardRow]
    breakdowns: list[Breakdown]
    not_reported: list[Indicator]  # in the catalogue, no figures for this LA (entity not supplied)
    tables: list[CrossTab] = field(default_factory=list)

    @property
    def composition(self) -> list[ScorecardRow]:
        """The area's parts of one whole (Area.composition) that have figures, in the area's order."""
        rows = {r.indicator.id: r for r in self.rows}
        return [rows[i] for i in self.area.composition if i in rows]


@dataclass
class LaReport:
    la_code: str
    la_name: str
    month_end: date
    catalogue: list[Indicator]
    sections: list[AreaSection]
    publication: dict | None  # latest published.publications row of the LA
    last_published: dict | None  # latest row with status published (the figures' source)
    quality: list[dict]  # published.data_quality rows of the latest publication
    restatements: list[dict]  # indicator_restatements rows, restated months up to month_end
    months_available: list[date] = field(default_factory=list)

    @property
    def rows(self) -> list[ScorecardRow]:
        return [r for s in self.sections for r in s.rows]


@dataclass
class RegionalRow:
    indicator: Indicator
    shows_r12m: bool  # flow rates are shown as 12 months' rate, beside the annual benchmark
    cells: dict[str, dict]  # la_code -> {value, rag, suppressed, available}
    england: float | None
    england_period: str | None


@dataclass
class RegionalReport:
    month_end: date
    las: list[tuple[str, str]]  # (code, name)
    sections: list[tuple[Area, list[RegionalRow]]]


def connect(warehouse) -> duckdb.DuckDBPyConnection:
    if not Path(warehouse).exists():  # read-only, DuckDB would say only that it cannot open the file
        raise ReportError(f"warehouse {warehouse} does not exist (run `pipeline refresh` first)")
    try:  # held to the configured limit: unbounded, DuckDB keeps up to 80% of RAM of the file's blocks cached
        con = duckdb.connect(str(warehouse), read_only=True,
                             config={"memory_limit": settings().duckdb_memory_limit})
    except duckdb.Error as exc:
        raise ReportError(f"cannot open warehouse {warehouse}: {exc}") from exc
    tables = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'published' "
        "union select view_name from duckdb_views() where schema_name = 'published'").fetchall()}
    missing = {"scorecard", "indicator_catalogue", "indicator_values", "publications", "data_quality"} - tables
    if missing:
        con.close()
        raise ReportError(f"{warehouse} is not a published warehouse with a scorecard "
                          f"(missing published.{', published.'.join(sorted(missing))}); run `pipeline refresh`")
    return con


def records(con, sql: str, params: dict | None = None) -> list[dict]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def catalogue(con) -> list[Indicator]:
    rows = records(con, "select * from published.indicator_catalogue order by display_order nulls last, id")
    fields = Indicator.__dataclass_fields__
    return [Indicator(**{k: r.get(k) for k in fields}) for r in rows]


def la_names() -> dict[str, str]:
    """LA names from the population reference data (the published tables carry codes only)."""
    path = SEEDS_DIR / "population.csv"
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {r["la_code"]: r["la_name"] for r in csv.DictReader(f) if r.get("la_name")}


def latest_months(con, table: str = "scorecard") -> dict[str, date]:
    """Each LA's latest published month."""
    return dict(con.execute(f"select la_code, max(period_end) from published.{table} group by 1 order by 1").fetchall())


def resolve_month(con, la_code: str, month: str | None) -> tuple[date, list[date]]:
    """The month-end to report ('YYYY-MM', default the LA's latest) and the months the LA has."""
    months = [r[0] for r in con.execute(
        "select distinct period_end from published.scorecard where la_code = $la order by 1", {"la": la_code}).fetchall()]
    if not months:
        known = ", ".join(latest_months(con)) or "none"
        raise ReportError(f"LA {la_code} has no published scorecard (LAs in the warehouse: {known})")
    if month is None:
        return months[-1], months
    chosen = [m for m in months if m.strftime("%Y-%m") == month]
    if not chosen:
        raise ReportError(f"LA {la_code} has no published scorecard for {month} "
                          f"(published months: {months[0]:%Y-%m} to {months[-1]:%Y-%m})")
    return chosen[0], months


def la_report(con, la_code: str, month: str | None = None) -> LaReport:
    month_end, months = resolve_month(con, la_code, month)
    indicators = catalogue(con)
    by_id = {i.id: i for i in indicators}
    window = {"la": la_code, "end": month_end, "from": months_back(month_end, HISTORY_MONTHS - 1)}
    history: dict[str, list[dict]] = {}
    for row in records(con, """select * from published.scorecard
                               where la_code = $la and period_end between $from and $end
                               order by indicator_id, period_end""", window):
        history.setdefault(row["indicator_id"], []).append(row)
    breakdown_rows = records(con, """select indicator_id, dimension, dimension_value, period_end, value
        from published.indicator_values
        where la_code = $la and period_type = 'month' and dimension <> 'all'
          and period_end between $from and $end
        order by indicator_id, dimension, period_end, dimension_value""",
                             {**window, "from": months_back(month_end, TREND_MONTHS - 1)})
    restatements = _restatements(con, la_code, month_end)
    restated = {(r["indicator_id"], r["period_end"]) for r in restatements}
    previous_month = months_back(month_end, 1)

    sections = []
    for area in (*AREAS, OTHER):
        in_area = [i for i in indicators if i.area == area]
        rows = [ScorecardRow(i, history[i.id][-1], history[i.id], (i.id, previous_month) in restated)
                for i in in_area if i.id in history and history[i.id][-1]["period_end"] == month_end]
        breakdowns = []
        for indicator in in_area:
            for dimension in dict.fromkeys(r["dimension"] for r in breakdown_rows if r["indicator_id"] == indicator.id):
                breakdowns.append(Breakdown(indicator, dimension, [
                    r for r in breakdown_rows if r["indicator_id"] == indicator.id and r["dimension"] == dimension]))
        tables = [_cross_tab(b, month_end) for b in breakdowns if CROSS_SEPARATOR in b.dimension]
        by_team = [b for b in breakdowns if b.dimension == TEAM]
        if by_team:
            tables.append(_team_table(area, by_team, month_end))
        breakdowns = [b for b in breakdowns if CROSS_SEPARATOR not in b.dimension and b.dimension != TEAM]
        not_reported = [i for i in in_area if i.id not in {r.indicator.id for r in rows}]
        if rows or not_reported:
            sections.append(AreaSection(area, rows, breakdowns, not_reported, tables))

    publications = records(con, """select * from published.publications where la_code = $la
                                   order by finished_at desc, run_id desc""", {"la": la_code})
    publication = publications[0] if publications else None
    last_published = next((p for p in publications if p["status"] == "published"), None)
    quality = records(con, """select * from published.data_quality where la_code = $la and run_id = $run
                              order by passed, severity, entity, check_name""",
                      {"la": la_code, "run": publication["run_id"] if publication else None})
    return LaReport(la_code, la_names().get(la_code, la_code), month_end, indicators, sections,
                    publication, last_published, quality,
                    [dict(r, indicator=by_id.get(r["indicator_id"])) for r in restatements], months)


def _cross_tab(b: Breakdown, month_end: date) -> CrossTab:
    """A breakdown "outer|inner" in the report month: outer values as rows, inner values as columns, with totals."""
    outer_dim, inner_dim = b.dimension.split(CROSS_SEPARATOR)
    cells = {tuple(r["dimension_value"].split(CROSS_SEPARATOR)): r["value"] for r in b.rows if r["period_end"] == month_end}
    outers = category_order(outer_dim, {o for o, _ in cells})
    inners = category_order(inner_dim, {i for _, i in cells})
    unit = b.indicator.unit
    rows = [(category_label(outer_dim, o), [cells.get((o, i)) for i in inners]) for o in outers]
    if unit == "count":  # counts add up: a total column and row, as SSC's table has
        rows = [(label, values + [sum(v or 0 for v in values)]) for label, values in rows]
        rows.append(("Total", [sum(values[n] or 0 for _, values in rows) for n in range(len(inners) + 1)]))
    columns = [(category_label(inner_dim, i), unit) for i in inners] + ([("Total", unit)] if unit == "count" else [])
    return CrossTab(f"{b.indicator.name} by {_dimension_words(outer_dim)} and {_dimension_words(inner_dim)}",
                    _dimension_words(outer_dim).capitalize(), columns, rows)


def _team_table(area: Area, breakdowns: list[Breakdown], month_end: date) -> CrossTab:
    """Every measure of the area broken down by team, in the report month: a row per team."""
    cells = {(b.indicator.id, r["dimension_value"]): r["value"] for b in breakdowns for r in b.rows
             if r["period_end"] == month_end}
    teams = sorted({team for _, team in cells})
    return CrossTab(f"{area.title} by team", "Team", [(b.indicator.name, b.indicator.unit) for b in breakdowns],
                    [(team, [cells.get((b.indicator.id, team)) for b in breakdowns]) for team in teams])


def _dimension_words(dimension: str) -> str:
    return DIMENSION_LABELS.get(dimension, dimension)


def _restatements(con, la_code: str, month_end: date) -> list[dict]:
    has_view = con.execute("select count(*) from duckdb_views() where schema_name = 'published' "
                           "and view_name = 'indicator_restatements'").fetchone()[0]
    if not has_view:
        return []
    return records(con, """select r.* from published.indicator_restatements r
        left join published.indicator_catalogue c on c.id = r.indicator_id
        where r.la_code = $la and r.period_type = 'month' and r.dimension = 'all'
          and r.is_restated and r.period_end <= $end
        order by c.display_order nulls last, r.indicator_id, r.period_end desc""", {"la": la_code, "end": month_end})


# The regional view puts every LA side by side on one page, so its size grows with the LAs (about 0.4 MB
# each). England has 153: a warehouse holding more (a test of scale, many consortia in one file) gets
# each LA's pages but no regional view, which would be unreadable and unbounded; its LAs are compared
# through published.*_shareable instead (README "Reports").
REGIONAL_MAX_LAS = 200


def regional_report(con, month: str | None = None) -> RegionalReport:
    """Each indicator across LAs for one month, from the shareable (small-number suppressed) tables.
    ReportError for a warehouse of more than REGIONAL_MAX_LAS LAs."""
    months = [r[0] for r in con.execute(
        "select distinct period_end from published.scorecard_shareable order by 1").fetchall()]
    if not months:
        raise ReportError("the warehouse has no shareable scorecard rows")
    if month is None:
        month_end = months[-1]
    else:
        matches = [m for m in months if m.strftime("%Y-%m") == month]
        if not matches:
            raise ReportError(f"no LA has a published scorecard for {month} "
                              f"(published months: {months[0]:%Y-%m} to {months[-1]:%Y-%m})")
        month_end = matches[0]
    names = la_names()
    codes = [r[0] for r in con.execute(
        "select distinct la_code from published.scorecard_shareable order by 1").fetchall()]
    if len(codes) > REGIONAL_MAX_LAS:
        raise ReportError(f"the regional view shows at most {REGIONAL_MAX_LAS} LAs side by side and this warehouse "
                          f"holds {len(codes)}: compare them through published.scorecard_shareable")
    rows = records(con, """select s.*, m.suppressed as month_suppressed, y.suppressed as r12m_suppressed
        from published.scorecard_shareable s
        left join published.indicator_values_shareable m
          on m.la_code = s.la_code and m.indicator_id = s.indicator_id and m.period_type = 'month'
         and m.period_end = s.period_end and m.dimension = 'all'
        left join published.indicator_values_shareable y
          on y.la_code = s.la_code and y.indicator_id = s.indicator_id and y.period_type = 'r12m'
         and y.period_end = s.period_end and y.dimension = 'all'
        where s.period_end = $end""", {"end": month_end})
    by_indicator: dict[str, dict[str, dict]] = {}
    for r in rows:
        by_indicator.setdefault(r["indicator_id"], {})[r["la_code"]] = r
    indicators = catalogue(con)
    sections = []
    for area in (*AREAS, OTHER):
        area_rows = []
        for indicator in (i for i in indicators if i.area == area and i.id in by_indicator):
            shown = by_indicator[indicator.id]
            r12m = indicator.annual_benchmarks
            cells = {}
            for code in codes:
                r = shown.get(code)
                cells[code] = {
                    "available": r is not None,
                    "value": None if r is None else r["r12m_value" if r12m else "value"],
                    "rag": None if r is None or r12m else r["rag"],
                    "suppressed": bool(r and r["r12m_suppressed" if r12m else "month_suppressed"]),
                }
            england = [r["benchmark_england"] for r in shown.values() if r["benchmark_england"] is not None]
            period = next((r["benchmark_england_period"] for r in shown.values() if r["benchmark_england"] is not None), None)
            area_rows.append(RegionalRow(indicator, r12m, cells, max(set(england), key=england.count) if england else None, period))
        if area_rows:
            sections.append((area, area_rows))
    return RegionalReport(month_end, [(c, names.get(c, c)) for c in codes], sections)


def months_back(month_end: date, n: int) -> date:
    """The last day of the month n months before month_end's."""
    year, month = divmod(month_end.year * 12 + month_end.month - 1 - n, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(next_first.toordinal() - 1)

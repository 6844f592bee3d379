"""`pipeline scorecard`: the latest month of published.scorecard as console text, per LA."""

from pathlib import Path

from pipeline.report.data import ReportError, connect
from pipeline.report.formatting import fmt_value

# the published scorecard already joins targets, RAG, direction of travel and benchmarks
LATEST = """with latest as (select la_code, max(period_end) as month_end from published.scorecard group by 1)
            select s.la_code, s.period_end, c.name, c.unit, s.value, s.previous_month_value, s.fytd_value,
                   s.r12m_value, s.target, s.rag, s.direction_vs_previous_month, s.benchmark_england
            from published.scorecard s
            join latest l on l.la_code = s.la_code and l.month_end = s.period_end
            join published.indicator_catalogue c on c.id = s.indicator_id
            where $la is null or s.la_code = $la
            order by s.la_code, c.display_order"""


def scorecard_lines(warehouse: Path, la_code: str | None = None) -> list[str]:
    """Each LA's (or only la_code's) latest month: value, previous month, FYTD, 12 months, target, RAG,
    direction of travel and the England benchmark of every indicator. ReportError when there is none."""
    with connect(warehouse) as con:
        rows = con.execute(LATEST, {"la": la_code}).fetchall()
    if not rows:
        raise ReportError(f"no published scorecard{' for ' + la_code if la_code else ''} in {warehouse}")
    lines, current = [], None
    for la, month_end, name, unit, value, previous, fytd, r12m, target, rag, direction, england in rows:
        if la != current:
            current = la
            lines += ["", f"{la} - month ending {month_end} (flow benchmarks are annual: compare them with 12 months)",
                      f"  {'indicator':<55} {'month':>9} {'previous':>9} {'FYTD':>9} {'12 months':>9} {'target':>9}"
                      f" {'RAG':<6} {'travel':<10} {'England':>9}"]
        figures = [fmt_value(v, unit, missing="-") for v in (value, previous, fytd, r12m, target, england)]
        lines.append(f"  {name:<55} {figures[0]:>9} {figures[1]:>9} {figures[2]:>9} {figures[3]:>9} {figures[4]:>9}"
                     f" {rag or '-':<6} {direction or '-':<10} {figures[5]:>9}")
    return lines

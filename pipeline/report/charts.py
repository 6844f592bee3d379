"""Vega-Lite specs for the report's charts; each has a title (or sits in a titled figure) and alt text.

The specs are plain Vega-Lite dicts (the tests validate every kind against the Vega-Lite schema
with Altair; building them through Altair's objects cost seconds per LA), embedded in the page
and drawn by vega-embed from the inlined bundle (html.py). Dates are ISO strings read as UTC,
so a month never slips across a time zone.
"""

from pipeline.report.areas import DIMENSION_LABELS, category_group, category_label
from pipeline.report.data import Breakdown, RegionalRow, ScorecardRow
from pipeline.report.formatting import POLARITY_LABELS, fmt_value, month_label

LA_SERIES = "This LA"
# colour-blind safe (ColorBrewer Dark2), and each reference line has its own dash pattern too
SERIES_STYLE = {
    LA_SERIES: ("#1d4f91", []),
    "Target": ("#222222", [6, 3]),
    "England": ("#d95f02", [2, 2]),
    "Statistical neighbours": ("#7570b3", [8, 3, 2, 3]),
    "Region": ("#1b9e77", [1, 3]),
}
BENCHMARKS = (("england", "England"), ("statistical_neighbours", "Statistical neighbours"), ("region", "Region"))
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
CONFIG = {"font": FONT, "view": {"stroke": None}, "background": "transparent"}
LA_COLOUR = SERIES_STYLE[LA_SERIES][0]

MONTH_Q = {"field": "month", "type": "temporal", "scale": {"type": "utc"}, "title": None}
VALUE_Q = {"field": "value", "type": "quantitative"}


def _title(text: str, subtitle: str | None = None, size: int = 13) -> dict:
    title = {"text": text, "anchor": "start", "fontSize": size}
    if subtitle:
        title.update(subtitle=subtitle, subtitleColor="#555")
    return title


def _tooltip(*pairs: tuple[str, str]) -> list[dict]:
    return [{"field": field, "type": "nominal", "title": title} for field, title in pairs]


def sparkline(row: ScorecardRow) -> tuple[dict, str]:
    """A 13-month line with the target as a dashed rule; returns (spec, alt text).

    No visible title: the table row's measure is its title, and the figure's caption in the page."""
    ind, trend = row.indicator, row.trend
    points = [{"month": r["period_end"].isoformat(), "value": r["value"], "label": month_label(r["period_end"]),
               "shown": fmt_value(r["value"], ind.unit), "last": r is trend[-1]} for r in trend]
    x, y = {**MONTH_Q, "axis": None}, {**VALUE_Q, "axis": None, "scale": {"zero": False}}
    tooltip = _tooltip(("label", "Month"), ("shown", ind.name))
    layers = [
        {"mark": {"type": "line", "color": LA_COLOUR, "strokeWidth": 1.6}, "encoding": {"x": x, "y": y}},
        # invisible points give every month a tooltip; the last month is marked
        {"mark": {"type": "point", "filled": True, "size": 18, "color": LA_COLOUR, "opacity": 0.01},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        {"transform": [{"filter": "datum.last"}],
         "mark": {"type": "point", "filled": True, "size": 28, "color": LA_COLOUR},
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
    ]
    target = row.current["target"]
    if target is not None:
        layers.append({"data": {"values": [{"target": target}]},
                       "mark": {"type": "rule", "color": SERIES_STYLE["Target"][0], "strokeDash": [3, 2]},
                       "encoding": {"y": {"field": "target", "type": "quantitative"}}})
    text = _trend_text(ind, trend, "value", target)
    return {"config": CONFIG, "description": text, "width": 112, "height": 30, "padding": 2,
            "data": {"values": points}, "layer": layers}, text


def trend_chart(row: ScorecardRow) -> tuple[dict, str]:
    """Up to 24 months against the target and the benchmarks (England, statistical neighbours, region).

    Flow rates per 10,000 are drawn as the 12 months to date, the period their benchmarks describe."""
    ind, history = row.indicator, row.history
    field = "r12m_value" if ind.annual_benchmarks else "value"
    la_series = LA_SERIES + (" (12 months to date)" if ind.annual_benchmarks else "")
    months = [r["period_end"] for r in history]
    values = [_point(la_series, r["period_end"], r[field], ind.unit) for r in history]
    references = [("Target", row.current["target"], None)] + [
        (label, row.current[f"benchmark_{key}"], row.current[f"benchmark_{key}_period"]) for key, label in BENCHMARKS]
    domain, colours, dashes = [la_series], [LA_COLOUR], [[]]
    for label, value, period in references:
        if value is None:
            continue
        name = f"{label} ({period})" if period else label
        values += [_point(name, m, value, ind.unit) for m in months]
        domain.append(name)
        colours.append(SERIES_STYLE[label][0])
        dashes.append(SERIES_STYLE[label][1])
    # colour and dash share one legend, so the lines are told apart without colour too
    legend = {"orient": "bottom", "columns": 2, "labelLimit": 260, "symbolType": "stroke", "symbolStrokeWidth": 2}
    x = {**MONTH_Q, "axis": {"format": "%b %y", "labelAngle": 0, "tickCount": 8, "grid": False}}
    y = {**VALUE_Q, "title": _axis_title(ind), "scale": {"zero": ind.unit != "percent"}}
    tooltip = _tooltip(("series", "Series"), ("label", "Month"), ("shown", "Value"))
    lines = {"mark": {"type": "line", "strokeWidth": 2}, "encoding": {
        "x": x, "y": y, "tooltip": tooltip,
        "color": {"field": "series", "type": "nominal", "title": None, "legend": legend,
                  "scale": {"domain": domain, "range": colours}},
        "strokeDash": {"field": "series", "type": "nominal", "title": None, "legend": legend,
                       "scale": {"domain": domain, "range": dashes}}}}
    dots = {"transform": [{"filter": {"field": "series", "equal": la_series}}],
            "mark": {"type": "point", "filled": True, "size": 30, "color": LA_COLOUR},
            "encoding": {"x": x, "y": y, "tooltip": tooltip}}
    what = "12 months to date, at each month end" if ind.annual_benchmarks else "Each month"
    against = [label for label, value, _ in references if value is not None]
    subtitle = (f"against {_and(against)} · " if against else "") + POLARITY_LABELS.get(ind.polarity, "")
    text = _trend_text(ind, history, field, row.current["target"], references[1:])
    return {"config": CONFIG, "description": text, "width": 520, "height": 200,
            "title": _title(f"{what}, {month_label(months[0], True)} to {month_label(months[-1], True)}", subtitle),
            "data": {"values": values}, "layer": [lines, dots]}, text


def breakdown_chart(b: Breakdown) -> tuple[dict, str]:
    """Stacked monthly bars of a count's breakdown (placement codes stacked by their group); a line per
    category for a percent or average, whose categories do not add up to the whole."""
    ind, label = b.indicator, DIMENSION_LABELS.get(b.dimension, b.dimension)
    if ind.unit != "count":
        return _breakdown_lines(b, label)
    totals: dict[tuple[str, str], float] = {}
    for r in b.rows:
        key = (r["period_end"].isoformat(), category_group(b.dimension, r["dimension_value"]))
        totals[key] = totals.get(key, 0) + (r["value"] or 0)
    values = [{"month": m, "group": g, "value": v} for (m, g), v in sorted(totals.items())]
    latest = max((m for m, _ in totals), default=None)
    latest_parts = sorted(((g, v) for (m, g), v in totals.items() if m == latest), key=lambda p: -p[1])
    title = f"{ind.name} by {label}"
    text = (f"Stacked bar chart: {title}, each month of the last 13. "
            + ("Latest month: " + "; ".join(f"{g} {fmt_value(v, ind.unit)}" for g, v in latest_parts) + "."
               if latest_parts else "No figures."))
    month = {"field": "month", "type": "ordinal", "timeUnit": "utcyearmonth", "title": None}
    spec = {"config": CONFIG, "description": text, "width": 520, "height": 220,
            "title": _title(title, "each month; the latest month's figures are in the table beside", 14),
            "data": {"values": values}, "mark": "bar", "encoding": {
                "x": {**month, "axis": {"format": "%b %y", "labelAngle": 0}},
                "y": {**VALUE_Q, "aggregate": "sum", "title": _axis_title(ind)},
                "color": {"field": "group", "type": "nominal", "title": label[:1].upper() + label[1:],
                          "scale": {"scheme": "tableau10"},
                          "legend": {"orient": "bottom", "columns": 3, "labelLimit": 220}},
                "tooltip": [{**month, "type": "temporal", "format": "%B %Y", "title": "Month"},
                            {"field": "group", "type": "nominal", "title": label},
                            {**VALUE_Q, "aggregate": "sum", "title": "Number", "format": ","}]}}
    return spec, text


def _breakdown_lines(b: Breakdown, label: str) -> tuple[dict, str]:
    ind = b.indicator
    values = [{"month": r["period_end"].isoformat(), "group": category_label(b.dimension, r["dimension_value"]),
               "value": r["value"], "label": month_label(r["period_end"]), "shown": fmt_value(r["value"], ind.unit)}
              for r in b.rows]
    latest = max((r["period_end"] for r in b.rows), default=None)
    latest_parts = [(category_label(b.dimension, r["dimension_value"]), r["value"]) for r in b.rows
                    if r["period_end"] == latest]
    title = f"{ind.name} by {label}"
    text = (f"Line chart: {title}, a line per {label}, each month of the last 13. "
            + ("Latest month: " + "; ".join(f"{g} {fmt_value(v, ind.unit)}" for g, v in latest_parts) + "."
               if latest_parts else "No figures."))
    x = {**MONTH_Q, "axis": {"format": "%b %y", "labelAngle": 0, "grid": False}}
    y = {**VALUE_Q, "title": _axis_title(ind), "scale": {"zero": ind.unit != "percent"}}
    spec = {"config": CONFIG, "description": text, "width": 520, "height": 220,
            "title": _title(title, "each month; the latest month's figures are in the table beside", 14),
            "data": {"values": values}, "mark": {"type": "line", "point": True}, "encoding": {
                "x": x, "y": y,
                "color": {"field": "group", "type": "nominal", "title": label[:1].upper() + label[1:],
                          "scale": {"scheme": "dark2"},
                          "legend": {"orient": "bottom", "columns": 3, "labelLimit": 220}},
                "tooltip": _tooltip(("group", label), ("label", "Month"), ("shown", ind.name))}}
    return spec, text


def composition_chart(title: str, rows: list[ScorecardRow]) -> tuple[dict, str]:
    """Parts of one whole (the area's composition, e.g. permanent, agency and vacant shares of the established
    posts) as a bar per month stacked to 100%."""
    values = [{"month": h["period_end"].isoformat(), "part": row.indicator.name, "value": h["value"],
               "label": month_label(h["period_end"]), "shown": fmt_value(h["value"], row.indicator.unit)}
              for row in rows for h in row.trend if h["value"] is not None]
    latest = "; ".join(f"{row.indicator.name} {fmt_value(row.current['value'], row.indicator.unit)}" for row in rows)
    text = f"Stacked bar chart: {title}, each month of the last 13. Latest month: {latest}."
    month = {"field": "month", "type": "ordinal", "timeUnit": "utcyearmonth", "title": None}
    spec = {"config": CONFIG, "description": text, "width": 520, "height": 220,
            "title": _title(title, "share of each month's whole, %", 14),
            "data": {"values": values}, "mark": "bar", "encoding": {
                "x": {**month, "axis": {"format": "%b %y", "labelAngle": 0}},
                "y": {**VALUE_Q, "aggregate": "sum", "title": "%", "scale": {"domain": [0, 100]}},
                "color": {"field": "part", "type": "nominal", "title": None,
                          "scale": {"domain": [r.indicator.name for r in rows], "scheme": "tableau10"},
                          "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260}},
                "tooltip": _tooltip(("part", "Part"), ("label", "Month"), ("shown", "Share"))}}
    return spec, text


def regional_bars(row: RegionalRow, las: list[tuple[str, str]]) -> tuple[dict, str]:
    """One bar per LA (suppressed or not published: no bar) with the England benchmark as a dashed rule."""
    ind = row.indicator
    values = [{"la": name, "value": row.cells[code]["value"], "shown": _regional_text(row.cells[code], ind.unit)}
              for code, name in las]
    layers = [{"mark": {"type": "bar", "color": LA_COLOUR}, "encoding": {
        "x": {**VALUE_Q, "title": None, "axis": {"tickCount": 4}},
        "y": {"field": "la", "type": "nominal", "title": None, "sort": [name for _, name in las],
              "axis": {"labelLimit": 140}},
        "tooltip": _tooltip(("la", "LA"), ("shown", ind.name))}}]
    if row.england is not None:
        layers.append({"data": {"values": [{"england": row.england}]},
                       "mark": {"type": "rule", "color": SERIES_STYLE["England"][0],
                                "strokeDash": SERIES_STYLE["England"][1], "strokeWidth": 2},
                       "encoding": {"x": {"field": "england", "type": "quantitative"}}})
    text = (f"Bar chart of {ind.name} by LA: " + "; ".join(f"{v['la']} {v['shown']}" for v in values)
            + (f"; England {fmt_value(row.england, ind.unit)} ({row.england_period}) shown as a dashed line."
               if row.england is not None else "."))
    return {"config": CONFIG, "description": text, "width": 200, "height": max(18 * len(las), 40),
            "data": {"values": values}, "layer": layers}, text


def _regional_text(cell: dict, unit: str | None) -> str:
    if cell["suppressed"]:
        return "suppressed (small numbers)"
    if not cell["available"]:
        return "not published"
    return fmt_value(cell["value"], unit)


def _point(series: str, month, value, unit) -> dict:
    return {"series": series, "month": month.isoformat(), "value": value, "label": month_label(month),
            "shown": fmt_value(value, unit)}


def _and(words: list[str]) -> str:
    words = [w if w == "England" else w.lower() for w in words]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _axis_title(ind) -> str:
    return {"percent": "%", "rate_per_10k": "per 10,000 children", "days": "days", "weeks": "weeks"}.get(ind.unit, "number")


def _trend_text(ind, rows: list[dict], field: str, target, references=()) -> str:
    """Alt text that says what the chart shows: span, first and latest figures, range, target, benchmarks."""
    known = [r for r in rows if r[field] is not None]
    if not known:
        return f"Line chart of {ind.name}: no figures in the period."
    first, last = known[0], known[-1]
    low, high = min(known, key=lambda r: r[field]), max(known, key=lambda r: r[field])
    parts = [f"Line chart of {ind.name}" + (" (12 months to date)" if field == "r12m_value" else "")
             + f", {month_label(rows[0]['period_end'])} to {month_label(rows[-1]['period_end'])}: "
             f"{fmt_value(first[field], ind.unit)} in {month_label(first['period_end'])}, "
             f"{fmt_value(last[field], ind.unit)} in {month_label(last['period_end'])}",
             f"lowest {fmt_value(low[field], ind.unit)} ({month_label(low['period_end'])}), "
             f"highest {fmt_value(high[field], ind.unit)} ({month_label(high['period_end'])})"]
    if target is not None:
        parts.append(f"target {fmt_value(target, ind.unit)}")
    for label, value, period in references:
        if value is not None:
            parts.append(f"{label} {fmt_value(value, ind.unit)}" + (f" ({period})" if period else ""))
    return "; ".join(parts) + "."

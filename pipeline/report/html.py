"""HTML pages: the LA scorecard and the regional view.

The charts are drawn by Vega, Vega-Lite and vega-embed from vl-convert's bundle (0.9 MB), and their
specs travel as JSON in the page, so a page opens offline with no request to any server. A page for
sending on has the bundle inlined (self-contained); the pages of a pack share one copy of it in the
pack's folder, assets/vega-bundle.<hash>.js, which each page loads by a relative src (shared_bundle).
"""

import hashlib
import json
import os
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import jinja2
import vl_convert

from pipeline.atomic import replacing
from pipeline.report import charts, formatting
from pipeline.report.areas import DIMENSION_LABELS, category_label, category_order
from pipeline.report.data import LaReport, RegionalReport, ScorecardRow

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESTATEMENTS_SHOWN = 60  # the page lists this many; the workbook has them all


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script. vl-convert bundles it offline, the same script for
    the same versions, but bundling costs over a second of CPU (half of a refresh's report step), so
    the script is kept in the user's cache under the versions it holds."""
    versions = (vl_convert.__version__, vl_convert.get_vega_version(), vl_convert.get_vegalite_versions()[-1],
                vl_convert.get_vega_embed_version())
    path = _cache_dir() / "vega-bundle-{}-vega-{}-vega-lite-{}-embed-{}.js".format(*versions)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle()
    try:  # written beside, then renamed: another process never reads half a script
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp:
            tmp.write_text(bundle, encoding="utf-8")
    except OSError:  # no writable cache: bundled again next time
        pass
    return bundle


ASSETS = "assets"  # the pack's folder of shared files, beside its pages


def shared_bundle(out_dir: Path) -> str:
    """The bundle as a file of the pack in out_dir, named by its content's hash, and the relative src
    its pages load it by. Written once (renamed into place whole, so a page never loads half of it);
    a new bundle (vl-convert upgraded) gets a new name, so pages already written keep theirs."""
    bundle = vega_bundle()
    src = f"{ASSETS}/vega-bundle.{hashlib.sha256(bundle.encode()).hexdigest()[:16]}.js"
    path = Path(out_dir) / src
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp:
            tmp.write_text(bundle, encoding="utf-8")
    return src


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()) / "pipeline"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(
        fmt=formatting.fmt_value, fmt_change=formatting.fmt_change, fmt_fraction=formatting.fmt_fraction,
        month=formatting.month_label, movement=formatting.movement, arrows=formatting.ARROWS,
        rag_labels=formatting.RAG_LABELS, rag_meaning=formatting.RAG_MEANING, tone=formatting.DIRECTION_TONE,
        polarity_labels=formatting.POLARITY_LABELS, unit_labels=formatting.UNIT_LABELS,
        dimension_labels=DIMENSION_LABELS, category_label=category_label, suppressed=formatting.SUPPRESSED,
        benchmarks=charts.BENCHMARKS, quality_message=_quality_message,
    )
    env.filters["slug"] = lambda s: "".join(c if c.isalnum() else "-" for c in s.lower())
    return env


def render_la(report: LaReport, script_src: str | None = None) -> str:
    """The LA's page: self-contained, or with script_src (shared_bundle) loading the pack's bundle."""
    specs: dict[str, dict] = {}
    alt_text: dict[str, str] = {}

    def add(chart_id: str, built: tuple[dict, str]) -> str:
        specs[chart_id], alt_text[chart_id] = built
        return chart_id

    for section in report.sections:
        for row in section.rows:
            add(f"spark-{row.indicator.id}", charts.sparkline(row))
            add(f"trend-{row.indicator.id}", charts.trend_chart(row))
        for b in section.breakdowns:
            add(f"breakdown-{b.indicator.id}-{b.dimension}", charts.breakdown_chart(b))
        if section.composition:
            add(f"composition-{section.area.key}", charts.composition_chart(section.area.title, section.composition))
    return _environment().get_template("scorecard.html.j2").render(
        r=report, alt_text=alt_text, summary=_summary(report.rows),
        restatements=report.restatements[:RESTATEMENTS_SHOWN], quality=_quality(report.quality),
        latest_breakdown=_latest_breakdown, **_page(specs, script_src))


def render_regional(report: RegionalReport, script_src: str | None = None) -> str:
    specs: dict[str, dict] = {}
    alt_text: dict[str, str] = {}
    for _, rows in report.sections:
        for row in rows:
            chart_id = f"region-{row.indicator.id}"
            specs[chart_id], alt_text[chart_id] = charts.regional_bars(row, report.las)
    return _environment().get_template("regional.html.j2").render(r=report, alt_text=alt_text,
                                                                  **_page(specs, script_src))


def _page(specs: dict, script_src: str | None) -> dict:
    return {
        "vega_bundle": None if script_src else vega_bundle(),
        "script_src": script_src,
        # compact, as the specs are most of a page's bytes; '</' would end the script element early, JSON allows '<\/'
        "specs_json": json.dumps(specs, default=str, separators=(",", ":")).replace("</", "<\\/"),
        "generated_at": datetime.now(timezone.utc).strftime("%d %B %Y %H:%M UTC"),
        "css": (TEMPLATES / "report.css").read_text(),
    }


def _summary(rows: list[ScorecardRow]) -> dict:
    """RAG counts and the board's three lists (going well / ones to watch / to do better)."""
    counts = {k: sum(1 for r in rows if r.current["rag"] == k) for k in ("green", "amber", "red")}
    counts["none"] = sum(1 for r in rows if r.current["rag"] is None)
    well, watch, better = [], [], []
    for row in rows:
        rag, c = row.current["rag"], row.current
        if rag == "red":
            better.append(row)
        elif rag == "amber" or (rag == "green" and c["direction_vs_previous_month"] == "worsening"):
            watch.append(row)
        elif rag == "green":
            well.append(row)
        elif row.indicator.polarity != "neutral" and c["direction_vs_last_year"] == "improving":
            well.append(row)
        elif row.indicator.polarity != "neutral" and c["direction_vs_last_year"] == "worsening":
            watch.append(row)
    return {"counts": counts, "well": well, "watch": watch, "better": better,
            "improving": sum(1 for r in rows if r.current["direction_vs_previous_month"] == "improving"),
            "worsening": sum(1 for r in rows if r.current["direction_vs_previous_month"] == "worsening")}


def _quality(rows: list[dict]) -> dict:
    entities: dict[str, dict] = {}
    for r in rows:
        e = entities.setdefault(r["entity"], {"entity": r["entity"], "rows": 0, "checks": 0, "errors": 0, "warnings": 0})
        e["rows"] = max(e["rows"], r["rows_checked"] or 0)
        e["checks"] += 1
        if not r["passed"]:
            e["errors" if r["severity"] == "error" else "warnings"] += 1
    return {"entities": sorted(entities.values(), key=lambda e: e["entity"]),
            "failed": [r for r in rows if not r["passed"]], "checks": len(rows)}


def _quality_message(row: dict) -> str:
    try:
        details = json.loads(row["details"] or "{}")
    except (TypeError, ValueError):
        return str(row["details"])
    if isinstance(details, dict):
        return str(details.get("message") or details.get("expectation") or "")
    return str(details)


def _latest_breakdown(b) -> list[dict]:
    """The breakdown's latest month, largest first, with each value's share of the total (counts only: the
    categories of a percent or average do not add up to it), in the list's own order where it has one."""
    latest = max((r["period_end"] for r in b.rows), default=None)
    rows = [r for r in b.rows if r["period_end"] == latest]
    if b.indicator.unit != "count":
        order = category_order(b.dimension, [r["dimension_value"] for r in rows])
        return sorted(rows, key=lambda r: order.index(r["dimension_value"]))
    rows = sorted(rows, key=lambda r: -(r["value"] or 0))
    total = sum(r["value"] or 0 for r in rows)
    return [dict(r, share=(100 * (r["value"] or 0) / total) if total else None) for r in rows if r["value"]]

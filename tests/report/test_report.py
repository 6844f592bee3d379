"""The scorecard pack, rendered from a real refresh of a small generated inbox and opened in
headless Chromium: what a performance officer sees, checked against the published tables.

One module-scoped warehouse: two synthetic LAs, published twice; between the refreshes the first
LA's extract (a week later) gains referrals recorded late and dated in August, so August's
figures are restated. Screenshots go to tests/report/output/.
"""

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import openpyxl
import pytest

from pipeline.cli import main
from pipeline.defs.refresh import run_refresh
from pipeline.generate import generate_inbox
from pipeline.report import write_run_reports
from pipeline.report.html import vega_bundle
from tests.report import chromium
from tests.report.dom import parse

OUTPUT = Path(__file__).resolve().parent / "output"
LATE_MONTH = "2026-08"
LATE_REFERRALS = 2


@dataclass
class Built:
    root: Path
    warehouse: Path
    las: list[str]
    first_reports: list[str]  # what the Dagster asset wrote after the first refresh
    rewritten: list[str]  # the reports the second refresh (of las[0] only) wrote again

    def query(self, sql: str, params: dict | None = None) -> list[dict]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            cursor = con.execute(sql, params or {})
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def latest_month(self, la: str):
        return self.query("select max(period_end) as m from published.scorecard where la_code = $la", {"la": la})[0]["m"]


def _record_late_referrals(la_folder: Path) -> None:
    """The next extract: a week later, with referrals dated in August that were only recorded now."""
    manifest = la_folder / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("extract_date: 2026-10-31", "extract_date: 2026-11-07"))
    path = la_folder / "referrals.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        for n, source in enumerate(rows[:LATE_REFERRALS]):
            writer.writerow({**{k: "" for k in source}, "referral_id": f"LATE{n}", "child_id": source["child_id"],
                             "referral_date": f"{LATE_MONTH}-14", "referral_source": source["referral_source"],
                             "referral_nfa": "N"})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("report")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    las = generate_inbox(inbox, n_las=2, months=14)
    assert "extract_date: 2026-10-31" in (inbox / las[0] / "manifest.yml").read_text()
    assert run_refresh(inbox, warehouse, dbt_log=str(root / "dbt.log")).success
    first_reports = sorted(p.name for p in (root / "reports").iterdir() if p.is_file())  # pages; assets/ aside
    written = {p.name: p.stat().st_mtime_ns for p in (root / "reports").iterdir()}
    _record_late_referrals(inbox / las[0])
    assert run_refresh(inbox, warehouse, dbt_log=str(root / "dbt.log")).success
    rewritten = sorted(p.name for p in (root / "reports").iterdir()
                       if p.is_file() and p.stat().st_mtime_ns != written.get(p.name))
    return Built(root, warehouse, las, first_reports, rewritten)


@dataclass
class Page:
    html_path: Path
    html: str
    dom: object
    console: list[str]


def _open(path: Path, screenshot: str) -> Page:
    rendered = chromium.render(path)
    png = chromium.screenshot(path, OUTPUT / screenshot)
    print(f"screenshot: {png}")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return Page(path, path.read_text(), parse(rendered.dom), rendered.console)


@pytest.fixture(scope="module")
def la_page(built) -> Page:
    la, out = built.las[0], built.root / "cli-reports"
    assert main(["report", "--la", la, "--warehouse", str(built.warehouse), "--out", str(out)]) == 0
    month = built.latest_month(la)
    return _open(out / f"{la}-{month:%Y-%m}-scorecard.html", "scorecard.png")


@pytest.fixture(scope="module")
def scorecard(built) -> list[dict]:
    la = built.las[0]
    return built.query("""select s.*, c.name, c.unit, c.kind, c.family from published.scorecard s
                          join published.indicator_catalogue c on c.id = s.indicator_id
                          where s.la_code = $la and s.period_end = $m order by c.display_order""",
                       {"la": la, "m": built.latest_month(la)})


def shown(value, unit: str) -> str:
    """How a figure must read on the page (worked out here, not by the report's formatter)."""
    if value is None:
        return "–"
    if unit in ("days", "weeks"):  # a mean duration reads with its unit: "236 days", "24.0 weeks"
        return f"{value:,.0f} days" if unit == "days" else f"{value:,.1f} weeks"
    return f"{value:.1f}%" if unit == "percent" else f"{value:,.1f}" if unit in ("rate_per_10k", "average") else f"{value:,.0f}"


def test_the_refresh_writes_every_las_latest_report_and_the_regional_view(built):
    month = built.latest_month(built.las[0])
    expected = [f"{name}-{month:%Y-%m}-scorecard.{ext}" for name in [*built.las, "regional"] for ext in ("html", "xlsx")]
    assert built.first_reports == sorted(expected)


def test_a_refresh_rewrites_only_its_las_reports_the_missing_ones_and_the_regional_view(built, tmp_path):
    month = built.latest_month(built.las[0])
    assert built.rewritten == sorted(f"{name}-{month:%Y-%m}-scorecard.{ext}" for name in (built.las[0], "regional")
                                     for ext in ("html", "xlsx"))
    out = tmp_path / "reports"
    assert {f.name for f in write_run_reports(built.warehouse, out, "no-such-run")} == {*built.las, "regional"}
    (out / f"{built.las[1]}-{built.latest_month(built.las[1]):%Y-%m}-scorecard.xlsx").unlink()
    assert [f.name for f in write_run_reports(built.warehouse, out, "no-such-run")] == [built.las[1], "regional"]


def _script_src(page: str) -> str | None:
    found = re.findall(r'<script src="([^"]+)"', page)
    assert len(found) <= 1
    return found[0] if found else None


def test_the_refresh_writes_a_pack_whose_pages_share_one_script(built):
    """A pack is browsed or hosted as a folder: the 0.9 MB chart script once in it, not in every page."""
    reports = built.root / "reports"
    pages = sorted(reports.glob("*.html"))
    assert len(pages) == len(built.las) + 1
    bundle = vega_bundle()
    shared = [p.relative_to(reports).as_posix() for p in (reports / "assets").iterdir()]
    assert len(shared) == 1 and re.fullmatch(r"assets/vega-bundle\.[0-9a-f]{16}\.js", shared[0])
    assert (reports / shared[0]).read_text(encoding="utf-8") == bundle
    for page in pages:
        html = page.read_text()
        assert _script_src(html) == shared[0], page.name
        assert bundle[:2000] not in html and bundle[-2000:] not in html, page.name
        assert len(html) < 2 * 1024 * 1024, page.name


def test_the_page_needs_no_network(la_page):
    # one LA's report is sent on: every script is inline and nothing is fetched, no src/href anywhere,
    # no CSS import
    assert _script_src(la_page.html) is None and vega_bundle() in la_page.html
    assert not re.search(r"<link\b", la_page.html)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", la_page.html)
    assert "@import" not in la_page.html and "url(" not in la_page.html.split("<script>")[0]


def test_every_indicator_row_is_shown_with_its_figures_and_rag_in_words(la_page, scorecard):
    found = [r.attrs["data-indicator"] for r in la_page.dom.find_all("tr", cls="indicator-row")]
    assert sorted(found) == sorted(s["indicator_id"] for s in scorecard)  # every indicator, once
    rows = {r.attrs["data-indicator"]: r for r in la_page.dom.find_all("tr", cls="indicator-row")}
    rated = 0
    for s in scorecard:
        row = rows[s["indicator_id"]]
        assert s["name"] in row.text
        assert row.find("td", cls="value").find("strong").text == shown(s["value"], s["unit"])
        pill = row.find("span", cls="rag")
        if s["rag"]:
            rated += 1
            assert f"rag-{s['rag']}" in pill.classes and pill.text == s["rag"].title()
        else:
            assert pill.text == "Not rated"
        assert s["direction_vs_previous_month"] in row.text
        if s["benchmark_england"] is not None:
            assert shown(s["benchmark_england"], s["unit"]) in row.text
    assert rated >= 3  # the demo data misses and meets targets


def test_every_chart_is_drawn_with_alt_text_and_nothing_is_logged(la_page, scorecard):
    assert la_page.console == []  # no console message at all, so no error either
    charts = la_page.dom.find_all("div", cls="vis")
    assert la_page.dom.find("body").attrs["data-charts"] == f"drawn {len(charts)}"
    assert {c.attrs["id"] for c in charts} >= {f"{kind}-{s['indicator_id']}" for s in scorecard
                                               for kind in ("spark", "trend")}
    for chart in charts:
        assert chart.find("svg") is not None, chart.attrs["id"]
        assert len(chart.attrs.get("aria-label", "")) > 20, chart.attrs["id"]  # alt text from the spec
        assert chart.find("path") is not None  # marks were drawn, not an empty frame
    trend = la_page.dom.find("div", id="trend-ASM_45WD")
    assert "Each month" in trend.text and "target 95.0%" in trend.attrs["aria-label"]


def test_chart_specs_are_valid_vega_lite(la_page):
    specs = json.loads(re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>',
                                 la_page.html, re.S).group(1))
    kinds = set()
    for chart_id, spec in specs.items():
        (alt.LayerChart if "layer" in spec else alt.Chart).from_dict(spec)  # validates against the schema
        kinds.add(chart_id.split("-")[0])
    assert kinds == {"spark", "trend", "breakdown", "composition"}


def test_area_pages_have_trend_charts_and_breakdowns(la_page, scorecard):
    families = {"front_door": "front_door", "referrals": "front_door", "early_help": "early_help",
                "assessments": "assessment", "cin": "assessment",
                "cp_enquiries": "child_protection", "cp_plans": "child_protection", "cla": "children_in_care",
                "care_leavers": "care_leavers", "oversight": "oversight", "workforce": "workforce",
                "cla_care": "children_in_care", "private_fostering": "children_in_care", "missing": "health_missing",
                "court": "permanence_court", "adoption": "permanence_court"}
    # pages that cut across families name their measures: work in progress, practice standards
    named = {**dict.fromkeys(("ASM_OPEN", "ASM_OPEN_OVERDUE", "STR_OPEN", "S47_OPEN", "ICPC_AWAITING"), "work_in_progress"),
             **dict.fromkeys(("CPP_VISIT_10WD", "CPP_VISIT_TIMELY", "CPP_SEEN_ALONE", "CPP_REVIEW_TIMELY",
                              "CIN_VISIT_TIMELY", "CIN_REVIEW_TIMELY"), "practice_standards"),
             **dict.fromkeys(("CLA_REVIEWS_HELD", "CLA_REVIEW_TIMELY", "CLA_REVIEW_PARTICIPATION", "CLA_VISIT_TIMELY",
                              "PF_VISIT_TIMELY"), "reviews_visits"),
             **dict.fromkeys(("CLA_IHA_20WD", "CLA_HEALTH_UPTODATE", "CLA_DENTAL_UPTODATE", "CLA_OC2_HEALTH_CHECK",
                              "CLA_OC2_TEETH"), "health_missing")}
    for s in scorecard:
        section = la_page.dom.find("section", id=f"area-{named.get(s['indicator_id'], families[s['family']])}")
        assert section.find("article", id=f"ind-{s['indicator_id']}") is not None
    protection = la_page.dom.find("section", id="area-child_protection")
    for chart_id in ("breakdown-CPP_OPEN-latest_category", "breakdown-CPP_STARTED-initial_category"):
        assert protection.find("div", id=chart_id).find("svg") is not None
    assert "Neglect (NEG)" in protection.text
    in_care = la_page.dom.find("section", id="area-children_in_care")
    assert in_care.find("div", id="breakdown-CLA_OPEN-placement_type").find("svg") is not None
    assert "Foster placements" in in_care.text


def test_breakdown_table_adds_up_to_the_headline_count(built, la_page):
    la = built.las[0]
    month = built.latest_month(la)
    total = built.query("select value from published.scorecard where la_code = $la and indicator_id = 'CLA_OPEN' "
                        "and period_end = $m", {"la": la, "m": month})[0]["value"]
    table = la_page.dom.find("section", id="area-children_in_care").find("article", cls="breakdown").find("table")
    numbers = [int(tr.find_all("td")[0].text.replace(",", "")) for tr in table.find("tbody").find_all("tr")]
    assert sum(numbers) == total


def test_data_quality_panel_reports_the_latest_refresh(built, la_page):
    la = built.las[0]
    run = built.query("select run_id, status from published.publications where la_code = $la "
                      "order by finished_at desc limit 1", {"la": la})[0]
    checks = built.query("select entity, count(*) as n, count(*) filter (where not passed) as failed "
                         "from published.data_quality where la_code = $la and run_id = $run group by entity",
                         {"la": la, "run": run["run_id"]})
    panel = la_page.dom.find("section", id="data-quality")
    assert run["status"] == "published" and "published" in panel.text
    assert f"{sum(c['n'] for c in checks)} checks ran" in panel.text
    listed = {tr.find("th").text: tr for tr in panel.find("table").find("tbody").find_all("tr")}
    assert set(listed) == {c["entity"] for c in checks}


def test_restatements_panel_shows_the_month_changed_by_late_recording(built, la_page):
    la = built.las[0]
    restated = built.query("""select * from published.indicator_restatements where la_code = $la
        and indicator_id = 'REF_COUNT' and period_type = 'month' and dimension = 'all'
        and strftime(period_end, '%Y-%m') = $month""", {"la": la, "month": LATE_MONTH})[0]
    assert restated["is_restated"] and restated["difference"] == LATE_REFERRALS
    panel = la_page.dom.find("section", id="restatements")
    row = next(tr for tr in panel.find_all("tr", data_indicator="REF_COUNT") if "August 2026" in tr.text)
    cells = [td.text for td in row.find_all("td")]
    assert cells[1:4] == [shown(restated["first_published_value"], "count"), shown(restated["latest_value"], "count"),
                          f"+{LATE_REFERRALS}"]
    assert "2026-10-31 → 2026-11-07" in row.text
    # the other LA recorded nothing late: its page says so
    other = built.las[1]
    assert not built.query("select 1 from published.indicator_restatements where la_code = $la and is_restated",
                           {"la": other})


def test_workbook_has_the_published_scorecard_values(built, scorecard):
    la = built.las[0]
    path = built.root / "cli-reports" / f"{la}-{built.latest_month(la):%Y-%m}-scorecard.xlsx"
    book = openpyxl.load_workbook(path)
    columns = {"This month": "value", "Numerator": "numerator", "Denominator": "denominator",
               "Previous month": "previous_month_value", "Same month last year": "same_month_last_year_value",
               "FYTD": "fytd_value", "12 months": "r12m_value", "Target": "target",
               "Amber tolerance": "amber_tolerance", "vs previous month": "direction_vs_previous_month",
               "vs same month last year": "direction_vs_last_year", "England": "benchmark_england",
               "Statistical neighbours": "benchmark_statistical_neighbours", "Region": "benchmark_region"}
    fills = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
    formats = {"percent": '0.0"%"', "rate_per_10k": "0.0", "average": "0.0", "count": "#,##0",
               "days": '#,##0" days"', "weeks": '0.0" weeks"'}
    expected = {s["indicator_id"]: s for s in scorecard}
    seen = []
    areas = ["Front door", "Early help", "Assessment and children in need", "Work in progress at month end",
             "Child protection", "Practice standards", "Children in care", "Reviews and visits", "Health and missing",
             "Permanence and court", "Care leavers", "Management oversight", "Workforce and caseloads"]
    assert book.sheetnames[1:1 + len(areas)] == areas and "Definitions" in book.sheetnames
    for name in areas:
        sheet = book[name]
        assert sheet.freeze_panes == "D5"
        header = [c.value for c in sheet[4]]
        for cells in sheet.iter_rows(min_row=5):
            row = dict(zip(header, cells))
            if row["Indicator ID"].value is None:  # the measures end; the area's tables follow below them
                break
            s = expected[row["Indicator ID"].value]
            seen.append(s["indicator_id"])
            for heading, column in columns.items():
                cell = row[heading]
                if isinstance(s[column], float | int):
                    assert cell.value == pytest.approx(s[column], abs=1e-9), (s["indicator_id"], heading)
                else:
                    assert cell.value == s[column], (s["indicator_id"], heading)
            assert row["This month"].number_format == formats[s["unit"]]
            rag = row["RAG"]
            if s["rag"]:
                assert rag.value == s["rag"].title() and rag.fill.fgColor.rgb.endswith(fills[s["rag"]])
            else:
                assert rag.value == "Not rated"
    assert sorted(seen) == sorted(expected)
    definitions = {r[0] for r in book["Definitions"].iter_rows(min_row=5, values_only=True)}
    assert definitions == {r["id"] for r in built.query("select id from published.indicator_catalogue")}
    restated = [r for r in book["Restated figures"].iter_rows(min_row=5, values_only=True) if r[0] == "REF_COUNT"]
    assert [r[5] for r in restated if r[2].strftime("%Y-%m") == LATE_MONTH] == [LATE_REFERRALS]


@pytest.fixture(scope="module")
def regional(built):
    """The regional view for the latest month in which some figure is suppressed (so the test shows it is)."""
    month = built.query("""select max(period_end) as m from published.indicator_values_shareable
                           where suppressed and period_type = 'month' and dimension = 'all'""")[0]["m"]
    out = built.root / "regional"
    assert main(["report", "--month", f"{month:%Y-%m}", "--warehouse", str(built.warehouse), "--out", str(out)]) == 0
    return month, _open(out / f"regional-{month:%Y-%m}-scorecard.html", "regional.png"), out


def test_regional_view_shows_shareable_figures_side_by_side(built, regional):
    month, page, _ = regional
    assert page.console == []
    rows = built.query("""select s.la_code, s.indicator_id, s.value, s.r12m_value, s.benchmark_england,
            c.unit, c.kind, m.suppressed, y.suppressed as r12m_suppressed, i.value as internal_value
        from published.scorecard_shareable s
        join published.indicator_catalogue c on c.id = s.indicator_id
        join published.indicator_values_shareable m on m.la_code = s.la_code and m.indicator_id = s.indicator_id
             and m.period_type = 'month' and m.period_end = s.period_end and m.dimension = 'all'
        left join published.indicator_values_shareable y on y.la_code = s.la_code
             and y.indicator_id = s.indicator_id and y.period_type = 'r12m' and y.period_end = s.period_end
             and y.dimension = 'all'
        join published.scorecard i on i.la_code = s.la_code and i.indicator_id = s.indicator_id
             and i.period_end = s.period_end
        where s.period_end = $m""", {"m": month})
    suppressed = 0
    for r in rows:
        tr = page.dom.find("tr", data_indicator=r["indicator_id"])
        cell = tr.find("td", data_la=r["la_code"])
        annual = r["kind"] == "flow" and r["unit"] == "rate_per_10k"  # shown over 12 months, as England is
        if r["r12m_suppressed" if annual else "suppressed"]:
            suppressed += 1
            assert cell.text == "[c]"
            assert shown(r["internal_value"], r["unit"]) not in cell.text
        else:
            assert cell.find("strong").text == shown(r["r12m_value" if annual else "value"], r["unit"])
        if r["benchmark_england"] is not None:
            assert shown(r["benchmark_england"], r["unit"]) in tr.find("td", cls="bench").text
        assert tr.find("div", cls="vis").find("svg") is not None
    assert suppressed >= 1
    # a pack page: the charts were drawn by the script it shares with the folder's other pages
    assert _script_src(page.html).startswith("assets/vega-bundle.") and vega_bundle()[:2000] not in page.html
    assert page.dom.find("body").attrs["data-charts"].startswith("drawn ")


def test_a_pack_page_moved_out_of_its_folder_keeps_its_figures_and_says_why_no_charts(built, regional, tmp_path):
    month, page, _ = regional
    moved = tmp_path / page.html_path.name
    moved.write_text(page.html)
    dom = parse(chromium.render(moved).dom)
    assert dom.find("body").attrs["data-charts"] == "no script"
    chart = dom.find_all("div", cls="vis")[0]
    assert f"The charts need {_script_src(page.html)} from the folder" in chart.text
    assert [td.text for td in dom.find_all("td", cls="bench")] == [td.text for td in page.dom.find_all("td", cls="bench")]


def test_self_contained_pack_pages_each_carry_the_script(built, tmp_path):
    assert main(["report", "--self-contained", "--warehouse", str(built.warehouse), "--out", str(tmp_path)]) == 0
    assert not (tmp_path / "assets").exists()
    pages = sorted(tmp_path.glob("*.html"))
    assert len(pages) == len(built.las) + 1
    for page in pages:
        html = page.read_text()
        assert _script_src(html) is None and vega_bundle() in html, page.name


def test_regional_workbook_suppresses_small_numbers(built, regional):
    month, _, out = regional
    book = openpyxl.load_workbook(out / f"regional-{month:%Y-%m}-scorecard.xlsx")
    suppressed = {(r["la_code"], r["indicator_id"]) for r in built.query(
        """select la_code, indicator_id from published.indicator_values_shareable where suppressed
           and period_type = 'month' and dimension = 'all' and period_end = $m""", {"m": month})}
    flows = {r["id"] for r in built.query("select id from published.indicator_catalogue "
                                          "where kind = 'flow' and unit = 'rate_per_10k'")}
    found = set()
    for sheet in book:
        header = [c.value for c in sheet[4]]
        for values in sheet.iter_rows(min_row=5, values_only=True):
            row = dict(zip(header, values))
            for la in built.las:
                cell = next(v for k, v in row.items() if k.endswith(f"({la})"))
                if cell == "[c]":
                    found.add((la, row["Indicator ID"]))
    assert {s for s in suppressed if s[1] not in flows} <= found


def test_cli_says_which_months_and_las_exist(built, tmp_path, capsys):
    la = built.las[0]
    assert main(["report", "--la", "E99999999", "--warehouse", str(built.warehouse), "--out", str(tmp_path)]) == 2
    assert built.las[0] in capsys.readouterr().err
    assert main(["report", "--la", la, "--month", "2001-01", "--warehouse", str(built.warehouse),
                 "--out", str(tmp_path)]) == 2
    assert "published months" in capsys.readouterr().err
    assert main(["report", "--la", la, "--month", "January", "--warehouse", str(built.warehouse)]) == 2
    assert main(["report", "--la", la, "--month", LATE_MONTH, "--warehouse", str(built.warehouse),
                 "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{la}-{LATE_MONTH}-scorecard.html",
                                                          f"{la}-{LATE_MONTH}-scorecard.xlsx"]


def test_the_report_asset_runs_after_publishing():
    import dagster as dg

    from pipeline.defs.definitions import defs

    node = defs.resolve_asset_graph().get(dg.AssetKey("scorecard_report"))
    assert node.parent_keys == {dg.AssetKey("published_warehouse")}
    assert dg.AssetKey("scorecard_report") in defs.resolve_job_def("full_refresh").asset_layer.selected_asset_keys


def test_a_held_back_la_s_report_says_so_and_keeps_its_last_good_figures(built, tmp_path):
    """A copy of the warehouse refreshed once more with the second LA's children file gone (a
    required entity): that LA is held back, and its report shows a banner with the reason above the
    figures of its last good publication."""
    import shutil

    la = built.las[1]
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    shutil.copytree(built.root / "inbox", inbox)
    shutil.copy(built.warehouse, warehouse)
    (inbox / la / "children.csv").unlink()
    before = built.query("select value from published.scorecard where la_code = $la and period_end = $m "
                         "and indicator_id = 'REF_COUNT'", {"la": la, "m": built.latest_month(la)})
    run_refresh(inbox, warehouse, dbt_log=str(tmp_path / "dbt.log"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status, reason = con.execute("select status, reason from published.publications where la_code = $la "
                                     "order by finished_at desc limit 1", {"la": la}).fetchone()
        after = con.execute("select value from published.scorecard where la_code = $la and period_end = $m "
                            "and indicator_id = 'REF_COUNT'", {"la": la, "m": built.latest_month(la)}).fetchall()
    assert status == "held_back" and "children" in reason
    assert [r[0] for r in after] == [r["value"] for r in before]  # the last good figures stay
    assert main(["report", "--la", la, "--warehouse", str(warehouse), "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / f"{la}-{built.latest_month(la):%Y-%m}-scorecard.html").read_text()
    banner = re.search(r'<div class="banner held-back" role="alert">(.*?)</div>', html, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", banner.group(1)).split()) if banner else ""
    assert "Latest extract held back." in text and "these are the last good figures" in text
    assert "children" in text.partition("Reason:")[2]  # the publication's reason, which names the missing file


# practice.md's pages (issue 25): early help, work in progress, practice standards, oversight, workforce

PRACTICE_PAGES = {
    "early_help": ["EH_OPEN", "EH_RATE", "EH_STEP_DOWN", "EH_PLAN_TIMELY", "EH_WITH_PLAN"],
    "work_in_progress": ["ASM_OPEN", "ASM_OPEN_OVERDUE", "STR_OPEN", "S47_OPEN", "ICPC_AWAITING"],
    "practice_standards": ["CPP_VISIT_TIMELY", "CPP_SEEN_ALONE", "CIN_VISIT_TIMELY", "CIN_REVIEW_TIMELY"],
    "oversight": ["SUP_OPEN_CASES", "SUP_WITHIN_1M"],
    "workforce": ["ALL_UNALLOCATED", "ALL_CASELOAD_AVG", "ALL_OVER_CASELOAD", "WF_PERMANENT_PCT", "WF_AGENCY_PCT",
                  "WF_VACANT_PCT", "WF_CASELOAD_FTE"],
}


def _cells(tr) -> list[str]:
    return [td.text.strip() for td in tr.find_all("td")]


def test_practice_pages_show_their_measures(la_page):
    for area, ids in PRACTICE_PAGES.items():
        section = la_page.dom.find("section", id=f"area-{area}")
        assert section is not None, area
        for indicator in ids:
            assert section.find("article", id=f"ind-{indicator}") is not None, (area, indicator)


def test_supervision_table_is_case_type_by_band_and_adds_up_to_the_open_cases(built, la_page):
    """SSC's table: a row per case type, a column per time since the last supervision, totals; the grand total
    is SUP_OPEN_CASES, and each cell the published breakdown value."""
    la, month = built.las[0], built.latest_month(built.las[0])
    cells = {r["dimension_value"]: r["value"] for r in built.query(
        """select dimension_value, value from published.indicator_values where la_code = $la
           and indicator_id = 'SUP_OPEN_CASES' and period_type = 'month' and period_end = $m
           and dimension = 'case_type|supervision_band'""", {"la": la, "m": month})}
    total = built.query("""select value from published.indicator_values where la_code = $la and period_type = 'month'
                           and indicator_id = 'SUP_OPEN_CASES' and period_end = $m and dimension = 'all'""",
                        {"la": la, "m": month})[0]["value"]
    table = la_page.dom.find("section", id="area-oversight").find("table", cls="cross-tab-table")
    headings = [th.text.strip() for th in table.find("thead").find_all("th")]
    assert headings == ["Case type", "Within 1 month", "Over 1 to 2 months", "Over 2 to 3 months",
                        "Over 3 to 6 months", "Over 6 months", "No supervision: new in period", "No supervision", "Total"]
    rows = {tr.find("th").text.strip(): _cells(tr) for tr in table.find("tbody").find_all("tr")}
    assert list(rows) == ["Child in need", "Child protection", "Child looked after", "Total"]
    bands = ["within_1m", "1_2m", "2_3m", "3_6m", "over_6m", "never_new", "never"]
    for label, case_type in (("Child in need", "CIN"), ("Child protection", "CP"), ("Child looked after", "CLA")):
        expected = [cells[f"{case_type}|{band}"] for band in bands]
        assert rows[label] == [f"{v:,.0f}" for v in expected + [sum(expected)]]
    assert rows["Total"][-1] == f"{total:,.0f}"


def test_workforce_page_has_the_shares_chart_and_a_table_by_team(built, la_page):
    la, month = built.las[0], built.latest_month(built.las[0])
    workforce = la_page.dom.find("section", id="area-workforce")
    assert workforce.find("div", id="composition-workforce").find("svg") is not None
    table = next(t for t in workforce.find_all("table", cls="cross-tab-table") if "by team" in t.find("caption").text)
    caseloads = {r["dimension_value"]: r["value"] for r in built.query(
        """select dimension_value, value from published.indicator_values where la_code = $la and period_type = 'month'
           and indicator_id = 'ALL_CASELOAD_AVG' and period_end = $m and dimension = 'team'""", {"la": la, "m": month})}
    headings = [th.text.strip() for th in table.find("thead").find_all("th")]
    column = headings.index("Average caseload per social worker") - 1
    shown_rows = {tr.find("th").text.strip(): _cells(tr)[column] for tr in table.find("tbody").find_all("tr")}
    for team, value in caseloads.items():
        assert shown_rows[team] == ("–" if value is None else f"{value:,.1f}"), team
    # the generated LA has one team of one or two workers: its caseload cell is withheld, and shown so
    assert None in caseloads.values() and "–" in shown_rows.values()

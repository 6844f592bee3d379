"""The monthly scorecard pack from the published warehouse: per LA an HTML page and an Excel
workbook, and a regional view (HTML + workbook) across LAs from the shareable tables.

A pack (every LA's reports: a refresh, `pipeline report` without --la) is a folder browsed or hosted
whole: its pages share one copy of the chart script, assets/vega-bundle.<hash>.js (html.shared_bundle),
instead of 0.9 MB inlined in each. A single LA's report (`pipeline report --la`) is what is emailed
on: self-contained. Pages are written one at a time as they are made, each LA read on its own, so
the memory a pack needs does not grow with the number of LAs (the regional view, one page of every
LA side by side, excepted: written for 2 to data.REGIONAL_MAX_LAS LAs, `regional_wanted`).

    write_la_report(warehouse, "E06000019", month="2026-10", out_dir=...)   -> ReportFiles (self-contained)
    write_regional_report(warehouse, out_dir=...)                           -> ReportFiles (self-contained)
    write_all_reports(warehouse, out_dir)      every LA's latest month, plus the regional view (a pack)
    write_run_reports(warehouse, out_dir, run_id)   after a refresh: its LAs' (and missing) reports, regional
    write_reports(warehouse, la_code, month, out_dir, regional, self_contained)   `pipeline report`
    withdraw_reports(warehouse, la_codes, out_dir)   after `pipeline withdraw`: the LAs' reports removed,
                                                     the regional views rewritten without them
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import replacing
from pipeline.report import data
from pipeline.report.data import ReportError, connect, la_report, latest_months, regional_report, resolve_month
from pipeline.report.formatting import month_key
from pipeline.report.html import render_la, render_regional, shared_bundle
from pipeline.report.workbook import write_la_workbook, write_regional_workbook

__all__ = ["ReportError", "ReportFiles", "regional_wanted", "reports_dir_for", "withdraw_reports",
           "write_all_reports", "write_la_report", "write_regional_report", "write_reports", "write_run_reports"]


def regional_wanted(las: int) -> bool:
    """Whether a pack of this many LAs has a regional view (data.REGIONAL_MAX_LAS says why not past it)."""
    return 1 < las <= data.REGIONAL_MAX_LAS


REPORT_NAME = re.compile(r"(?P<name>.+)-(?P<month>\d{4}-\d{2})-scorecard\.(html|xlsx)")


@dataclass(frozen=True)
class ReportFiles:
    name: str  # LA code, or "regional"
    month: str  # YYYY-MM
    html: Path
    xlsx: Path

    @classmethod
    def named(cls, out_dir: Path, name: str, month: str) -> "ReportFiles":
        """The files of `name`'s report for `month` in out_dir: <name>-<YYYY-MM>-scorecard.html and .xlsx."""
        stem = f"{name}-{month}-scorecard"
        return cls(name, month, Path(out_dir) / f"{stem}.html", Path(out_dir) / f"{stem}.xlsx")

    def exist(self) -> bool:
        return self.html.exists() and self.xlsx.exists()


def reports_dir_for(warehouse: Path) -> Path:
    """Where reports go by default: <warehouse dir>/reports."""
    return Path(warehouse).resolve().parent / "reports"


def write_la_report(warehouse: Path, la_code: str, month: str | None = None, out_dir: Path | None = None) -> ReportFiles:
    """<out_dir>/<la_code>-<YYYY-MM>-scorecard.html and .xlsx for the LA's month (default: its latest)."""
    with connect(warehouse) as con:
        return _la_files(con, la_code, month, out_dir or reports_dir_for(warehouse))


def write_regional_report(warehouse: Path, month: str | None = None, out_dir: Path | None = None) -> ReportFiles:
    """<out_dir>/regional-<YYYY-MM>-scorecard.html and .xlsx (default: the latest month any LA has)."""
    with connect(warehouse) as con:
        return _regional_files(con, month, out_dir or reports_dir_for(warehouse))


def write_all_reports(warehouse: Path, out_dir: Path | None = None, month: str | None = None,
                      self_contained: bool = False) -> list[ReportFiles]:
    """Every LA's report for `month` (default: each LA's latest; LAs without that month are left
    out), and the regional view when the warehouse holds several LAs: a pack sharing one script,
    or with self_contained each page carrying its own."""
    out_dir = Path(out_dir or reports_dir_for(warehouse))
    with connect(warehouse) as con:
        las = list(latest_months(con))
        if month:
            las = [la for la in las if month in {m.strftime("%Y-%m") for m in resolve_month(con, la, None)[1]}]
            if not las:
                raise ReportError(f"no LA has a published scorecard for {month}")
        script = None if self_contained else shared_bundle(out_dir)
        files = [_la_files(con, la, month, out_dir, script) for la in las]
        if regional_wanted(len(las)):
            files.append(_regional_files(con, month, out_dir, script))
    return files


def write_reports(warehouse: Path, la_code: str | None = None, month: str | None = None, out_dir: Path | None = None,
                  regional: bool = False, self_contained: bool = False) -> list[ReportFiles]:
    """`pipeline report`: the LA's report (and with `regional` the regional view too), self-contained
    to be sent on, or without an LA every LA's and the regional view (write_all_reports: a pack
    unless self_contained). ReportError for a month not like 2026-10."""
    if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ReportError(f"--month {month!r} is not a month like 2026-10")
    if not la_code:
        return write_all_reports(warehouse, out_dir, month, self_contained)
    return [write_la_report(warehouse, la_code, month, out_dir)] + (
        [write_regional_report(warehouse, month, out_dir)] if regional else [])


def write_run_reports(warehouse: Path, out_dir: Path, run_id: str) -> list[ReportFiles]:
    """After a refresh: the latest report of each LA the run published or held back, and of each LA
    whose latest report is not in out_dir (a new folder, a file removed), then the regional view.
    An LA's report reads only that LA's rows, so the other LAs' reports would come out the same:
    rewriting all of them made one LA's refresh of a national warehouse wait for 153 reports."""
    out_dir = Path(out_dir)
    with connect(warehouse) as con:
        latest = latest_months(con)
        script = shared_bundle(out_dir)
        in_run = {r[0] for r in con.execute("select la_code from published.publications where run_id = $run",
                                            {"run": run_id}).fetchall()}
        stale = [la for la, month in latest.items()
                 if la in in_run or not ReportFiles.named(out_dir, la, month_key(month)).exist()]
        files = [_la_files(con, la, None, out_dir, script) for la in stale]
        if regional_wanted(len(latest)):
            files.append(_regional_files(con, None, out_dir, script))
    return files


def withdraw_reports(warehouse: Path, la_codes: list[str], out_dir: Path | None = None) -> tuple[list[Path], list[ReportFiles]]:
    """After `pipeline withdraw` (the warehouse no longer holds the LAs): remove every report of theirs
    from out_dir (any month), and rewrite each regional view there from the warehouse as it now is, or
    remove it when its month is gone or fewer than two LAs remain (as a refresh writes none then).
    An LA withdrawn for wrong figures must not keep being distributed. Returns (removed, rewritten)."""
    out_dir = Path(out_dir or reports_dir_for(warehouse))
    found = [(p, m) for p in (sorted(out_dir.iterdir()) if out_dir.is_dir() else ())
             if (m := REPORT_NAME.fullmatch(p.name))]
    removed = [p for p, m in found if m["name"] in set(la_codes)]
    regional_months = sorted({m["month"] for _, m in found if m["name"] == "regional"})
    rewritten = []
    with connect(warehouse) as con:
        several = regional_wanted(len(latest_months(con)))
        for month in regional_months:
            try:
                if several:
                    rewritten.append(_regional_files(con, month, out_dir, shared_bundle(out_dir)))
                    continue
            except ReportError:  # the month was the withdrawn LAs' alone
                pass
            removed += [p for p, m in found if m["name"] == "regional" and m["month"] == month]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed, rewritten


def _la_files(con, la_code: str, month: str | None, out_dir: Path, script: str | None = None) -> ReportFiles:
    """The LA's page (sharing the pack's `script`, or self-contained) and workbook, written before
    the next LA is read: nothing of one LA's report outlives its files."""
    report = la_report(con, la_code, month)
    return _write(out_dir, la_code, month_key(report.month_end), render_la(report, script),
                  lambda path: write_la_workbook(report, path))


def _regional_files(con, month: str | None, out_dir: Path, script: str | None = None) -> ReportFiles:
    report = regional_report(con, month)
    return _write(out_dir, "regional", month_key(report.month_end), render_regional(report, script),
                  lambda path: write_regional_workbook(report, path))


def _write(out_dir: Path, name: str, month: str, html: str, write_xlsx) -> ReportFiles:
    """Write beside the final names, then rename (pipeline/atomic.py), so a reader never opens half a file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles.named(out_dir, name, month)
    with replacing(files.html) as tmp_html, replacing(files.xlsx) as tmp_xlsx:
        tmp_html.write_text(html, encoding="utf-8")
        write_xlsx(tmp_xlsx)
    return files

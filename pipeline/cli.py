"""`pipeline` command line: refresh, withdraw, validate, generate, bench, scorecard, report, and Postgres publishing
(push, grant, revoke); see docs/warehouse.md."""

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path

from pipeline.paths import DEFAULT_INBOX, DEFAULT_WAREHOUSE
from pipeline.runtime.spark_handoff import ENGINES, java_available

EXIT_OK, EXIT_HELD_BACK, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
    logging.getLogger("pipeline").setLevel(logging.INFO)
    for noisy in ("dagster", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    r = sub.add_parser("refresh", help="load, gate, build and publish the LAs whose extract (or the reference data) "
                                       "changed since their last refresh")
    r.add_argument("--inbox", type=Path, default=DEFAULT_INBOX)
    r.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    r.add_argument("--postgres", metavar="URL", default=None,
                   help="also publish into this Postgres database (default: $PIPELINE_POSTGRES_URL, if set)")
    _engine_argument(r)
    r.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="when another refresh of the warehouse is running, wait this long for it (default: exit 2)")
    _threshold_arguments(r)
    force = r.add_mutually_exclusive_group()
    force.add_argument("--la", action="append", default=[], metavar="CODE",
                       help="refresh this LA whether or not it changed (repeat for several)")
    force.add_argument("--full", action="store_true", help="refresh every LA in the inbox")
    r.set_defaults(func=cmd_refresh)

    w = sub.add_parser("withdraw", help="remove LAs from the published warehouse (their figures, quarantine and "
                                        "refresh state; the ledgers keep what was published)")
    w.add_argument("--la", action="append", required=True, metavar="CODE", help="an LA code (repeat for several)")
    w.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    w.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="when a refresh of the warehouse is running, wait this long for it (default: exit 2)")
    w.set_defaults(func=cmd_withdraw)

    pg = sub.add_parser("push", help="publish the DuckDB warehouse into Postgres again (as refresh --postgres does)")
    pg.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    _postgres_argument(pg)
    pg.set_defaults(func=cmd_push)

    gr = sub.add_parser("grant", help="let a Postgres role read its LAs' rows (--la), or the shareable tables (--regional)")
    _postgres_argument(gr)
    gr.add_argument("--user", required=True, metavar="ROLE", help="an existing Postgres login role")
    who = gr.add_mutually_exclusive_group(required=True)
    who.add_argument("--la", action="append", metavar="CODE", help="an LA code (repeat for several)")
    who.add_argument("--regional", action="store_true", help="every LA, only the *_shareable tables and the catalogue")
    gr.set_defaults(func=cmd_grant)

    rv = sub.add_parser("revoke", help="take away a role's grant")
    _postgres_argument(rv)
    rv.add_argument("--user", required=True, metavar="ROLE")
    rv.set_defaults(func=cmd_revoke)

    v = sub.add_parser("validate", help="check an inbox against the extract contract without publishing")
    v.add_argument("inbox", type=Path)
    _threshold_arguments(v)
    v.set_defaults(func=cmd_validate)

    g = sub.add_parser("generate", help="write a synthetic inbox of fictional LAs")
    g.add_argument("--out", type=Path, default=DEFAULT_INBOX)
    _scale_arguments(g)
    g.add_argument("--extract-date", type=date.fromisoformat, default=None)
    g.add_argument("--format", choices=["csv", "xlsx", "workbook"], default="csv",
                   help="csv or xlsx: one file per entity; workbook: every entity a sheet of extract.xlsx")
    g.add_argument("--defects", type=float, default=0.0, metavar="RATE",
                   help="share of rows given one realistic data-quality defect each, listed in <out>/defects.csv")
    g.set_defaults(func=cmd_generate)

    b = sub.add_parser("bench", help="time generation and a full refresh against a bare DuckDB scan of the same files")
    _scale_arguments(b, default_scale="la")
    b.add_argument("--work", type=Path, default=None, help="folder for the inbox and warehouse (default: a temporary one)")
    b.add_argument("--keep", action="store_true", help="keep the temporary folder")
    b.add_argument("--skip-refresh", action="store_true", help="time generation and the bare scan only")
    b.add_argument("--engine", choices=ENGINES, default="duckdb",
                   help="spark: time the refresh on Spark too, printed beside DuckDB's (local mode: correctness, not scale)")
    b.set_defaults(func=cmd_bench)

    s = sub.add_parser("scorecard", help="print the latest month's published figures")
    s.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    s.add_argument("--la", default=None)
    s.set_defaults(func=cmd_scorecard)

    rp = sub.add_parser("report", help="write the scorecard pack: self-contained HTML and an Excel workbook")
    rp.add_argument("--la", default=None, help="LA code (default: every LA, plus the regional view)")
    rp.add_argument("--month", default=None, metavar="YYYY-MM", help="default: the latest published month")
    rp.add_argument("--out", type=Path, default=None, help="folder (default: <warehouse folder>/reports)")
    rp.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    rp.add_argument("--regional", action="store_true",
                    help="with --la, also the regional view: every LA side by side, small numbers suppressed")
    rp.set_defaults(func=cmd_report)
    return p


def _engine_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINES, default="duckdb",
                   help="what builds the dbt project: duckdb (default) or spark (local PySpark; needs Java 17)")


def _check_engine(engine: str) -> None:
    """The Spark engine needs the `spark` extra and a JVM: say so before loading anything."""
    if engine != "spark":
        return
    import importlib.util

    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        raise UsageError("--engine spark needs the spark extra: pip install -e '.[spark]' (make setup installs it)")
    if not java_available():
        raise UsageError("--engine spark needs Java 17: apt-get install openjdk-17-jre-headless (as root: make java)")


def _threshold_arguments(p: argparse.ArgumentParser) -> None:
    """The dataset-level thresholds an operator may open up, e.g. for a small statutory file where
    one bad row of five is 20% (defaults and help: pipeline/specs/gate.yml)."""
    from pipeline.specs import gate  # noqa: PLC0415 (the help text's one source; imported where used)
    p.add_argument("--max-quarantine-share", type=_share, default=None, metavar="SHARE",
                   help=gate().thresholds["max_quarantine_share"].cli_help)
    p.add_argument("--max-overlap-share", type=_share, default=None, metavar="SHARE",
                   help=gate().thresholds["max_overlap_share"].cli_help)


def _postgres_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--postgres", metavar="URL", default=None,
                   help="e.g. postgresql://owner@localhost/warehouse (default: $PIPELINE_POSTGRES_URL)")


def _postgres_url(args) -> str:
    from pipeline.settings import settings

    url = args.postgres or (secret.get_secret_value() if (secret := settings().postgres_url) else "")
    if not url:
        raise UsageError("no Postgres database: pass --postgres URL or set PIPELINE_POSTGRES_URL")
    return url


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return value


def _thresholds(args) -> dict:
    return {k: v for k in ("max_quarantine_share", "max_overlap_share") if (v := getattr(args, k)) is not None}


def _check_inbox(inbox: Path) -> None:
    if not inbox.is_dir():
        raise UsageError(f"inbox {inbox} is not a folder (run `pipeline generate` for the synthetic demo inbox)")
    if not any(p.is_dir() for p in inbox.iterdir()):
        raise UsageError(f"inbox {inbox} has no LA folders (expected {inbox}/<la_code>/manifest.yml)")


def cmd_refresh(args) -> int:
    import duckdb

    _check_inbox(args.inbox)
    _check_engine(args.engine)
    print(f"refresh: inbox {args.inbox} -> warehouse {args.warehouse}" + (f" (engine {args.engine})" if args.engine != "duckdb" else ""))
    from pipeline.state import plan, reference_fingerprint

    try:  # a broken settings seed (ReferenceDataError) stops the refresh here, before anything is built
        reference = reference_fingerprint(**_thresholds(args))  # planned with, and recorded by, this refresh
        planned = plan(args.inbox, args.warehouse, reference, args.la, args.full)
    except ValueError as exc:
        raise UsageError(str(exc))
    for p in planned:
        print(f"{p.la_code}: {'refresh: ' if p.run else 'skipped: '}{p.reason}")
    la_codes = [p.la_code for p in planned if p.run]
    if not la_codes:
        print("nothing changed: nothing refreshed, nothing published (refresh --la CODE or --full to force)")
        return EXIT_OK
    dbt_log = args.warehouse.resolve().with_name(args.warehouse.stem + ".dbt.log")
    extra = {"postgres_url": args.postgres} if args.postgres else {}
    from pipeline.publish import RefreshRunning
    from pipeline.defs.refresh import run_refresh

    try:
        result = run_refresh(args.inbox, args.warehouse, args.wait, la_codes, reference, dbt_log=str(dbt_log),
                             engine=args.engine, **extra, **_thresholds(args))
    except RefreshRunning as exc:
        raise UsageError(str(exc))
    published = any(m.asset_key.to_user_string() == "published_warehouse"
                    for m in result.get_asset_materialization_events())
    if not result.success:
        blocked = [e for e in result.get_asset_check_evaluations() if not e.passed
                   and e.severity.value == "ERROR" and e.asset_check_key.name == "indicator_values_suite"]
        for e in blocked:
            print(f"BLOCKED by check {e.asset_check_key.name} on {e.asset_key.to_user_string()}: "
                  f"{e.metadata.get('failures').value if e.metadata.get('failures') else ''}")
        for e in result.all_events:
            if e.is_step_failure and e.event_specific_data.error:
                print(f"FAILED step {e.step_key}: {e.event_specific_data.error.message.strip()}")
        if not published:
            print("nothing published: the previous publication is unchanged")
            return EXIT_HELD_BACK if blocked else EXIT_USAGE
        # a step after publish (the report) failed: the warehouse is published, say so and fail the run
        print("the warehouse was published, but a later step failed")
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = con.execute(
            """select p.la_code, p.status, p.reason, p.extract_date,
                      (select count(*) from published.indicator_values v where v.la_code = p.la_code)
               from published.publications p where list_contains($runs, p.run_id) order by p.la_code""",
            {"runs": result.run_ids},
        ).fetchall()
    for la, status, reason, extract_date, n in rows:
        line = f"{la}: {status} (extract {extract_date}, {n} indicator values)"
        print(line + (f" - {reason}" if reason else ""))
    if not result.success:
        return EXIT_USAGE
    return EXIT_HELD_BACK if any(r[1] != "published" for r in rows) else EXIT_OK


def cmd_withdraw(args) -> int:
    import uuid

    from pipeline.publish import RefreshRunning, refresh_lock, withdraw

    run_id = f"withdraw-{uuid.uuid4()}"
    try:
        with refresh_lock(args.warehouse.resolve(), args.wait):
            withdraw(args.warehouse.resolve(), args.la, run_id)
    except (RefreshRunning, ValueError) as exc:
        raise UsageError(str(exc))
    for code in args.la:
        print(f"{code}: withdrawn from {args.warehouse} (run {run_id}); remove its inbox folder too, or the next "
              "refresh publishes it again as a new LA")
    return EXIT_OK


def cmd_push(args) -> int:
    from pipeline.postgres import PostgresError, push

    if not args.warehouse.exists():
        raise UsageError(f"warehouse {args.warehouse} does not exist (run `pipeline refresh` first)")
    try:
        tables = push(args.warehouse, _postgres_url(args))
    except PostgresError as exc:
        raise UsageError(str(exc))
    print(f"published {len(tables)} tables into Postgres schema published: {', '.join(tables)}")
    return EXIT_OK


def cmd_grant(args) -> int:
    from pipeline.postgres import Grant, PostgresError, grant

    try:
        grant(_postgres_url(args), Grant(args.user, tuple(args.la or ()), args.regional))
    except PostgresError as exc:
        raise UsageError(str(exc))
    print(f"{args.user} may read " + ("the shareable tables of every LA" if args.regional
                                      else f"the rows of {', '.join(args.la)}"))
    return EXIT_OK


def cmd_revoke(args) -> int:
    from pipeline.postgres import PostgresError, revoke

    try:
        revoke(_postgres_url(args), args.user)
    except PostgresError as exc:
        raise UsageError(str(exc))
    print(f"{args.user} may no longer read the published tables")
    return EXIT_OK


def cmd_validate(args) -> int:
    """Load and gate the inbox as a refresh would (pipeline.quality.inbox_check), into memory; print the findings."""
    import duckdb

    from pipeline.quality.findings import print_findings
    from pipeline.quality.inbox_check import check_inbox
    from pipeline.defs.resources import RefreshSettings

    _check_inbox(args.inbox)
    settings = RefreshSettings(inbox_dir=str(args.inbox.resolve()), **_thresholds(args))
    with duckdb.connect() as con:
        try:
            check_inbox(con, args.inbox.resolve(), settings)
        except Exception as exc:  # a bug, not a finding: say what failed without a traceback
            logging.getLogger("pipeline").debug("validate failed", exc_info=True)
            print(f"error: validation stopped: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        return print_findings(con)


def _scale_arguments(p: argparse.ArgumentParser, default_scale: str = "demo") -> None:
    from pipeline.generate.scales import SCALES

    p.add_argument("--scale", choices=list(SCALES), default=default_scale,
                   help="; ".join(f"{name}: {s.about}" for name, s in SCALES.items()))
    p.add_argument("--las", type=int, default=None, help="only the first N LAs of the scale (demo: any N)")
    p.add_argument("--months", type=int, default=36, help="months of history ending on the extract date")
    p.add_argument("--seed", type=int, default=42, help="same seed, same arguments: byte-identical files")
    p.add_argument("--jobs", type=int, default=1, help="LAs generated in parallel processes")


def cmd_generate(args) -> int:
    from pipeline.generate import DEFECTS_FILE, generate_inbox

    try:
        codes = generate_inbox(args.out, n_las=args.las, months=args.months, seed=args.seed, scale=args.scale,
                               extract_date=args.extract_date, fmt=args.format, defects=args.defects, jobs=args.jobs)
    except ValueError as exc:
        raise UsageError(str(exc))
    shown = ", ".join(codes) if len(codes) <= 5 else f"{codes[0]} ... {codes[-1]}"
    print(f"generated {len(codes)} synthetic LA extracts in {args.out}: {shown}")
    if args.defects:
        print(f"planted defects are listed in {args.out / DEFECTS_FILE}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from pipeline.defs import bench

    try:
        _check_engine(args.engine)
        bench.run(args.scale, args.las, args.months, args.seed, args.jobs, args.work, args.keep,
                  with_refresh=not args.skip_refresh, engine=args.engine)
    except ValueError as exc:
        raise UsageError(str(exc))
    return EXIT_OK


def cmd_scorecard(args) -> int:
    import duckdb

    if not args.warehouse.exists():
        raise UsageError(f"warehouse {args.warehouse} does not exist (run `pipeline refresh` first)")
    # the published scorecard already joins targets, RAG, direction of travel and benchmarks
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = con.execute(
            """with latest as (select la_code, max(period_end) as month_end from published.scorecard group by 1)
               select s.la_code, s.period_end, c.name, c.unit, s.value, s.previous_month_value, s.fytd_value,
                      s.r12m_value, s.target, s.rag, s.direction_vs_previous_month, s.benchmark_england
               from published.scorecard s
               join latest l on l.la_code = s.la_code and l.month_end = s.period_end
               join published.indicator_catalogue c on c.id = s.indicator_id
               where $la is null or s.la_code = $la
               order by s.la_code, c.display_order""",
            {"la": args.la},
        ).fetchall()
    if not rows:
        raise UsageError(f"no published scorecard{' for ' + args.la if args.la else ''} in {args.warehouse}")
    current = None
    for la, month_end, name, unit, value, previous, fytd, r12m, target, rag, direction, england in rows:
        if la != current:
            current = la
            print(f"\n{la} - month ending {month_end} (flow benchmarks are annual: compare them with 12 months)")
            print(f"  {'indicator':<55} {'month':>9} {'previous':>9} {'FYTD':>9} {'12 months':>9} {'target':>9}"
                  f" {'RAG':<6} {'travel':<10} {'England':>9}")
        print(f"  {name:<55} {_fmt(value, unit):>9} {_fmt(previous, unit):>9} {_fmt(fytd, unit):>9} {_fmt(r12m, unit):>9}"
              f" {_fmt(target, unit):>9} {rag or '-':<6} {direction or '-':<10} {_fmt(england, unit):>9}")
    return EXIT_OK


def cmd_report(args) -> int:
    import re

    from pipeline.report import ReportError, write_all_reports, write_la_report, write_regional_report

    if not args.warehouse.exists():
        raise UsageError(f"warehouse {args.warehouse} does not exist (run `pipeline refresh` first)")
    if args.month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        raise UsageError(f"--month {args.month!r} is not a month like 2026-10")
    try:
        if args.la:
            files = [write_la_report(args.warehouse, args.la, args.month, args.out)]
            if args.regional:
                files.append(write_regional_report(args.warehouse, args.month, args.out))
        else:
            files = write_all_reports(args.warehouse, args.out, args.month)
    except ReportError as exc:
        raise UsageError(str(exc))
    for f in files:
        print(f"{f.name} {f.month}: {f.html}")
        print(f"{' ' * len(f.name)} {f.month}: {f.xlsx}")
    return EXIT_OK


def _fmt(value, unit) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}%" if unit == "percent" else f"{value:.1f}" if unit == "rate_per_10k" else f"{value:,.0f}"


if __name__ == "__main__":
    sys.exit(main())

"""`pipeline` command line: refresh, withdraw, validate, generate, bench, scorecard, report, and Postgres publishing
(push, grant, revoke); see docs/warehouse.md."""

import argparse
import logging
import os
import sys
from datetime import date
from pathlib import Path

from pipeline import console
from pipeline.errors import ERROR_LOG_ENV, EXIT_OK, EXIT_USAGE, UsageError
from pipeline.paths import DEFAULT_INBOX, DEFAULT_WAREHOUSE
from pipeline.redact import redact
from pipeline.runtime import stopping
from pipeline.runtime.environment import environment
from pipeline.runtime.spark_handoff import ENGINES

STOPPED = ("whatever it was doing was abandoned and cleaned up; the warehouse holds the last publication that "
           "completed (a publication is one atomic rename)")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a value the console's encoding lacks is escaped, not fatal
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
    logging.getLogger("pipeline").setLevel(logging.INFO)
    for noisy in ("dagster", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    log = args.error_log = console.log_path(getattr(args, "warehouse", None))
    conninfo = getattr(args, "postgres", None)
    try:
        with stopping.handled(), environment({ERROR_LOG_ENV: str(log)}):  # the GX process writes its traces there too
            return args.func(args)
    except BrokenPipeError:  # output piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (stopping.Stopped): every clean-up ran on the way here
        print(f"error: stopped by {stop.name if isinstance(stop, stopping.Stopped) else 'SIGINT'}: {STOPPED}",
              file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, ValueError) as exc:  # the library's word for "cannot be done as asked", and bad arguments
        message = str(exc)
        if exc.__cause__:  # the fault behind it: its trace in the log
            where = console.write_trace(log, " ".join(sys.argv), console.exception_trace(exc), conninfo)
            message += f" ({where})"
        print(f"error: {redact(message, conninfo)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a fault of the environment (disk, files, memory) or a bug: one line, trace to the log
        where = console.write_trace(log, " ".join(sys.argv), console.exception_trace(exc), conninfo)
        message = console.one_line(f"{type(exc).__name__}: {exc}")
        print(f"error: {redact(message, conninfo)} ({where})", file=sys.stderr)
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
    g.add_argument("--format", choices=["csv", "xlsx", "workbook", "ssda903"], default="csv",
                   help="csv or xlsx: one file per entity; workbook: every entity a sheet of extract.xlsx; "
                        "ssda903: the looked-after entities as the SSDA903 return's CSV files, the others csv")
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
    b.add_argument("--format", choices=["csv", "ssda903"], default="csv",
                   help="the path timed: csv, the native extract; ssda903, each LA's looked-after data as the "
                        "SSDA903 return's CSVs (read by the SSDA903 adapter), the rest native")
    b.set_defaults(func=cmd_bench)

    s = sub.add_parser("scorecard", help="print the latest month's published figures")
    s.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    s.add_argument("--la", default=None)
    s.set_defaults(func=cmd_scorecard)

    rp = sub.add_parser("report", help="write the scorecard pack (HTML pages sharing one chart script, and Excel "
                                       "workbooks), or with --la one LA's report, self-contained to send on")
    rp.add_argument("--la", default=None, help="LA code (default: every LA, plus the regional view)")
    rp.add_argument("--month", default=None, metavar="YYYY-MM", help="default: the latest published month")
    rp.add_argument("--out", type=Path, default=None, help="folder (default: <warehouse folder>/reports)")
    rp.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    rp.add_argument("--regional", action="store_true",
                    help="with --la, also the regional view: every LA side by side, small numbers suppressed")
    rp.add_argument("--self-contained", action="store_true",
                    help="without --la, every page carries its own chart script (0.9 MB each) instead of sharing "
                         "assets/vega-bundle.<hash>.js in the folder; with --la pages always do")
    rp.set_defaults(func=cmd_report)
    return p


def _engine_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINES, default="duckdb",
                   help="what builds the dbt project: duckdb (default) or spark (local PySpark; needs Java 17)")


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


def cmd_refresh(args) -> int:
    from pipeline.defs.refresh import refresh

    done = refresh(args.inbox, args.warehouse, wait=args.wait, force=args.la, full=args.full, engine=args.engine,
                   postgres_url=args.postgres, **_thresholds(args))
    if not done.run_ids:
        print("nothing changed: nothing refreshed, nothing published (refresh --la CODE or --full to force)")
    for b in done.blocked:
        print(f"BLOCKED by check {b.check} on {b.asset}: {b.failures}")
    where = console.write_trace(args.error_log, "refresh: failed steps", "\n".join(done.failure_traces),
                                args.postgres) if done.failure_traces else None
    for step, error in done.failed_steps:
        print(f"FAILED step {step}: {redact(console.one_line(error), args.postgres)} ({where})")
    if not done.succeeded:
        # a step after publish (the Postgres push, the report) failed: the warehouse is published, say so
        print("the warehouse was published, but a later step failed" if done.published
              else "nothing published: the previous publication is unchanged")
    for la in done.las:
        print(f"{la.la_code}: {la.status} (extract {la.extract_date}, {la.indicator_values} indicator values)"
              + (f" - {la.reason}" if la.reason else ""))
    if done.unread:  # the reason for exit 1 when every LA published
        print(f"{len(done.unread)} inbox folder(s) not read, no manifest: {', '.join(done.unread[:10])}"
              + (", ..." if len(done.unread) > 10 else ""))
    return done.exit_code


def cmd_withdraw(args) -> int:
    from pipeline.publish import withdraw
    from pipeline.report import reports_dir_for, withdraw_reports

    run_id = withdraw(args.warehouse.resolve(), args.la, args.wait)
    for code in args.la:
        print(f"{code}: withdrawn from {args.warehouse} (run {run_id}); remove its inbox folder too, or the next "
              "refresh publishes it again as a new LA")
    # its reports go too, and the regional views are rewritten without it: they must not be sent on
    removed, rewritten = withdraw_reports(args.warehouse.resolve(), args.la)
    print(f"{reports_dir_for(args.warehouse)}: report files removed: {len(removed)}; "
          f"regional views rewritten: {len(rewritten)}")
    return EXIT_OK


def cmd_push(args) -> int:
    from pipeline.postgres import push

    tables = push(args.warehouse, _postgres_url(args))
    print(f"published {len(tables)} tables into Postgres schema published: {', '.join(tables)}")
    return EXIT_OK


def cmd_grant(args) -> int:
    from pipeline.postgres import Grant, grant

    grant(_postgres_url(args), Grant(args.user, tuple(args.la or ()), args.regional))
    print(f"{args.user} may read " + ("the shareable tables of every LA" if args.regional
                                      else f"the rows of {', '.join(args.la)}"))
    return EXIT_OK


def cmd_revoke(args) -> int:
    from pipeline.postgres import revoke

    revoke(_postgres_url(args), args.user)
    print(f"{args.user} may no longer read the published tables")
    return EXIT_OK


def cmd_validate(args) -> int:
    from pipeline.defs.refresh import validate

    return validate(args.inbox, **_thresholds(args))


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

    codes = generate_inbox(args.out, n_las=args.las, months=args.months, seed=args.seed, scale=args.scale,
                           extract_date=args.extract_date, fmt=args.format, defects=args.defects, jobs=args.jobs)
    shown = ", ".join(codes) if len(codes) <= 5 else f"{codes[0]} ... {codes[-1]}"
    print(f"generated {len(codes)} synthetic LA extracts in {args.out}: {shown}")
    if args.defects:
        print(f"planted defects are listed in {args.out / DEFECTS_FILE}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from pipeline.defs import bench

    bench.run(args.scale, args.las, args.months, args.seed, args.jobs, args.work, args.keep,
              with_refresh=not args.skip_refresh, engine=args.engine, fmt=args.format)
    return EXIT_OK


def cmd_scorecard(args) -> int:
    from pipeline.report.console import scorecard_lines

    for line in scorecard_lines(args.warehouse, args.la):
        print(line)
    return EXIT_OK


def cmd_report(args) -> int:
    from pipeline.report import write_reports

    for f in write_reports(args.warehouse, args.la, args.month, args.out, args.regional, args.self_contained):
        print(f"{f.name} {f.month}: {f.html}")
        print(f"{' ' * len(f.name)} {f.month}: {f.xlsx}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

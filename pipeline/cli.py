"""`pipeline` command line: refresh, validate, generate, scorecard (shared/spec/warehouse.md)."""

import argparse
import logging
import sys
import tempfile
from datetime import date
from pathlib import Path

from pipeline.paths import DEFAULT_INBOX, DEFAULT_WAREHOUSE

EXIT_OK, EXIT_HELD_BACK, EXIT_USAGE = 0, 1, 2
QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


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
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    r = sub.add_parser("refresh", help="load the inbox, build and gate the indicators, publish the warehouse")
    r.add_argument("--inbox", type=Path, default=DEFAULT_INBOX)
    r.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    r.set_defaults(func=cmd_refresh)

    v = sub.add_parser("validate", help="check an inbox against the extract contract without publishing")
    v.add_argument("inbox", type=Path)
    v.set_defaults(func=cmd_validate)

    g = sub.add_parser("generate", help="write a synthetic inbox of fictional LAs")
    g.add_argument("--out", type=Path, default=DEFAULT_INBOX)
    g.add_argument("--las", type=int, default=3)
    g.add_argument("--months", type=int, default=36)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--extract-date", type=date.fromisoformat, default=None)
    g.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("scorecard", help="print the latest month's published figures")
    s.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    s.add_argument("--la", default=None)
    s.set_defaults(func=cmd_scorecard)
    return p


def _check_inbox(inbox: Path) -> None:
    if not inbox.is_dir():
        raise UsageError(f"inbox {inbox} is not a folder (run `pipeline generate` for the synthetic demo inbox)")
    if not any(p.is_dir() for p in inbox.iterdir()):
        raise UsageError(f"inbox {inbox} has no LA folders (expected {inbox}/<la_code>/manifest.yml)")


def run_refresh(inbox: Path, warehouse: Path, **settings):
    """Run the full_refresh job in-process, as the nightly schedule does. Returns the Dagster result."""
    import dagster as dg

    from pipeline.definitions import build_definitions

    job = build_definitions(inbox.resolve(), warehouse.resolve(), **settings).resolve_job_def("full_refresh")
    with dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_DAGSTER)


def cmd_refresh(args) -> int:
    import duckdb

    _check_inbox(args.inbox)
    print(f"refresh: inbox {args.inbox} -> warehouse {args.warehouse}")
    dbt_log = args.warehouse.resolve().with_name(args.warehouse.stem + ".dbt.log")
    result = run_refresh(args.inbox, args.warehouse, dbt_log=str(dbt_log))
    if not result.success:
        blocked = [e for e in result.get_asset_check_evaluations() if not e.passed
                   and e.severity.value == "ERROR" and e.asset_check_key.name == "indicator_values_suite"]
        for e in blocked:
            print(f"BLOCKED by check {e.asset_check_key.name} on {e.asset_key.to_user_string()}: "
                  f"{e.metadata.get('failures').value if e.metadata.get('failures') else ''}")
        for e in result.all_events:
            if e.is_step_failure and e.event_specific_data.error:
                print(f"FAILED step {e.step_key}: {e.event_specific_data.error.message.strip()}")
        print("nothing published: the previous publication is unchanged")
        return EXIT_HELD_BACK if blocked else EXIT_USAGE
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = con.execute(
            """select p.la_code, p.status, p.reason, p.extract_date,
                      (select count(*) from published.indicator_values v where v.la_code = p.la_code)
               from published.publications p where p.run_id = $run order by p.la_code""",
            {"run": result.run_id},
        ).fetchall()
    for la, status, reason, extract_date, n in rows:
        line = f"{la}: {status} (extract {extract_date}, {n} indicator values)"
        print(line + (f" - {reason}" if reason else ""))
    return EXIT_HELD_BACK if any(r[1] != "published" for r in rows) else EXIT_OK


def cmd_validate(args) -> int:
    import dagster as dg
    import duckdb

    from pipeline.assets.raw import raw_entity_assets, raw_manifests
    from pipeline.paths import build_path_for
    from pipeline.resources import build_resources

    _check_inbox(args.inbox)
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "validate.duckdb"
        with dg.DagsterInstance.ephemeral() as instance:
            result = dg.materialize(
                [raw_manifests, *raw_entity_assets], resources=build_resources(args.inbox.resolve(), warehouse),
                instance=instance, raise_on_error=False, run_config=QUIET_DAGSTER,
            )
        if not result.success:
            print("validation could not run to the end; see the errors above")
            return EXIT_USAGE
        with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
            return _print_findings(con)


def _print_findings(con) -> int:
    issues = con.execute(
        "select la_code, entity, severity, message from audit.dataset_issues order by all").fetchall()
    files = con.execute(
        "select la_code, source_file, rows_supplied, rows_loaded, rows_quarantined from raw.supplied_entities "
        "order by la_code, source_file").fetchall()
    checks = con.execute(
        "select la_code, entity, check_name, severity, rows_failed, details from audit.data_quality "
        "where not passed order by la_code, entity, check_name").fetchall()
    errors = sum(1 for i in issues if i[2] == "error") + sum(1 for c in checks if c[3] == "error")
    for la, entity, severity, message in issues:
        print(f"{severity.upper()} {message}")
    for la, source_file, supplied, loaded, quarantined in files:
        print(f"{la}/{source_file}: {supplied} rows, {loaded} loaded, {quarantined} quarantined")
        for (message,) in con.execute(
            "select message || ' (rule ' || rule || ')' from audit.quarantine "
            "where la_code = $la and source_file = $f order by row_number, rule",
            {"la": la, "f": source_file},
        ).fetchall():
            print(f"  {message}")
    for la, entity, check, severity, failed, details in checks:
        print(f"{severity.upper()} {la}/{entity}: check {check} failed ({failed} rows) {details}")
    print(f"{errors} error(s); " + ("the inbox would be held back" if errors else "the inbox passes the contract"))
    return EXIT_HELD_BACK if errors else EXIT_OK


def cmd_generate(args) -> int:
    from pipeline.generate import generate_inbox

    codes = generate_inbox(args.out, n_las=args.las, months=args.months, seed=args.seed,
                           extract_date=args.extract_date, fmt=args.format)
    print(f"generated {len(codes)} synthetic LA extracts in {args.out}: {', '.join(codes)}")
    return EXIT_OK


def cmd_scorecard(args) -> int:
    import duckdb

    if not args.warehouse.exists():
        raise UsageError(f"warehouse {args.warehouse} does not exist (run `pipeline refresh` first)")
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = con.execute(
            """with latest as (select la_code, max(period_end) as month_end from published.indicator_values
                               where period_type = 'month' group by 1)
               select v.la_code, c.name, v.value, f.value as fytd, c.unit
               from published.indicator_values v
               join latest l on l.la_code = v.la_code and l.month_end = v.period_end
               join published.indicator_catalogue c on c.id = v.indicator_id
               left join published.indicator_values f on f.la_code = v.la_code and f.indicator_id = v.indicator_id
                    and f.period_type = 'fytd' and f.period_end = v.period_end and f.dimension = 'all'
               where v.period_type = 'month' and v.dimension = 'all' and ($la is null or v.la_code = $la)
               order by v.la_code, c.display_order""",
            {"la": args.la},
        ).fetchall()
        months = dict(con.execute("select la_code, max(period_end) from published.indicator_values group by 1").fetchall())
    current = None
    for la, name, value, fytd, unit in rows:
        if la != current:
            current = la
            print(f"\n{la} - month ending {months[la]}")
            print(f"  {'indicator':<55} {'month':>10} {'FYTD':>10}")
        print(f"  {name:<55} {_fmt(value, unit):>10} {_fmt(fytd, unit):>10}")
    return EXIT_OK


def _fmt(value, unit) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}%" if unit == "percent" else f"{value:.1f}" if unit == "rate_per_10k" else f"{value:,.0f}"


if __name__ == "__main__":
    sys.exit(main())

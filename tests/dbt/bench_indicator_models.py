"""Benchmark: the dbt models at national scale. Prints figures; asserts nothing (not a pytest file).

Takes the raw layer of a build warehouse (default: the demo's, from `make demo`), copies every LA
until there are --las of them, and with --double-history stacks a second copy of each LA's records
three years earlier (new IDs), then runs `dbt run` of the staging, intermediate, marts and
published models on it and prints each model's time and the rows of the biggest tables.

    .venv/bin/python tests/dbt/bench_indicator_models.py --las 153 --double-history
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipeline.specs import entities

ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = ROOT / "dbt_project"


def scale_raw(db: Path, las: int, double_history: bool) -> None:
    """Replace raw.* by copies of each LA under new codes (and, optionally, a shifted earlier copy)."""
    with duckdb.connect(str(db)) as con:
        codes = [r[0] for r in con.execute("select la_code from raw.manifests order by 1").fetchall()]
        copies = -(-las // len(codes))  # ceiling
        new_codes = "select la_code, copy from (select unnest($codes) as la_code), range($n) as t(copy)"
        tables = {e.name: e for e in entities().values()}
        for table in ["manifests", "supplied_entities", "source_coverage", *tables]:
            columns = [r[0] for r in con.execute(f"describe raw.{table}").fetchall()]
            spec = tables.get(table)
            shifted, suffixed = {}, []
            if spec is not None:
                shifted = {c.name: "date" if c.type == "date" else "timestamp"
                           for c in spec.columns if c.type in ("date", "datetime")}
                suffixed = [c.name for c in spec.columns if c.type == "id"]

            def select(generation: int) -> str:
                exprs = []
                for col in columns:
                    if col == "la_code":
                        exprs.append("t.la_code || '_' || codes.copy as la_code")
                    elif generation and col in shifted:
                        exprs.append(f"cast({col} - interval 3 year as {shifted[col]}) as {col}")
                    elif generation and col in suffixed:
                        exprs.append(f"{col} || 'h' as {col}")
                    else:
                        exprs.append(col)
                return (f"select {', '.join(exprs)} from raw.{table} as t "
                        f"join ({new_codes}) as codes on codes.la_code = t.la_code")

            generations = [select(0)] + ([select(1)] if double_history and spec is not None else [])
            con.execute(f"create table raw._scaled as {' union all '.join(generations)}",
                        {"codes": codes, "n": copies})
            con.execute(f"drop table raw.{table}")
            con.execute(f"alter table raw._scaled rename to {table}")
        con.execute("checkpoint")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "warehouse.build.duckdb")
    parser.add_argument("--las", type=int, default=153)
    parser.add_argument("--double-history", action="store_true")
    args = parser.parse_args()
    if not args.source.exists():
        print(f"no build warehouse at {args.source}: run `make demo` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        shutil.copy(args.source, db)
        started = time.perf_counter()
        scale_raw(db, args.las, args.double_history)
        print(f"scaled raw layer in {time.perf_counter() - started:.1f} s")
        with duckdb.connect(str(db), read_only=True) as con:
            for table in ("contacts", "referrals", "cla_episodes", "visits"):
                print(f"  raw.{table}: {con.execute(f'select count(*) from raw.{table}').fetchone()[0]:,} rows")
        env = {**os.environ, "PIPELINE_BUILD_DB": str(db), "DBT_PROJECT_DIR": str(PROJECT_DIR)}
        command = [sys.executable, "-c", "from dbt.cli.main import cli; cli()", "run", "--quiet",
                   "--profiles-dir", str(PROJECT_DIR), "--project-dir", str(PROJECT_DIR),
                   "--target-path", str(Path(tmp) / "target"), "--log-path", str(Path(tmp) / "logs")]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        total = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="\n")
            return 1
        results = json.loads((Path(tmp) / "target" / "run_results.json").read_text())["results"]
        print(f"dbt run of {len(results)} models: {total:.1f} s")
        for result in sorted(results, key=lambda r: -r["execution_time"])[:15]:
            print(f"  {result['unique_id'].split('.')[-1]:<32} {result['execution_time']:6.2f} s")
        with duckdb.connect(str(db), read_only=True) as con:
            for table in ("marts.fct_indicator_values", "intermediate.int_cla_month_end", "published.scorecard"):
                print(f"  {table}: {con.execute(f'select count(*) from {table}').fetchone()[0]:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())

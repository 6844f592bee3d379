"""`pipeline bench`: how fast the synthetic inbox is generated and a full refresh runs on it.

Three timings on the same input: generating it, a bare DuckDB scan of its files (every file read
once into a table of text columns, nothing else: the floor no pipeline can beat), and a full
refresh (load, gate, dbt, publish), followed by each stage's share of the refresh (start-up, load,
gate, dbt, publish, report; stage_seconds) so the next bottleneck is visible; then `pipeline refresh`
again on the unchanged inbox and after one LA's file changed (incremental); then the dbt models' column
lineage, which is computed once per manifest outside the refresh (make manifest), and what attaching it
costs each definitions load. Figures are printed, never asserted: speed goals live here, not in tests.

`fmt` picks the path timed (PATHS): the native CSV extract, or `ssda903`, where each LA's looked-after
entities come as the SSDA903 return's CSVs (pipeline/generate/ssda903.py) and go through the SSDA903
adapter; the bare scan then reads those files in place of the native ones they replace.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.generate import ssda903
from pipeline.runtime.spark_handoff import require_engine
from pipeline.settings import settings
from pipeline.specs import entities

# the generator format -> what the bench says it timed
PATHS = {"csv": "native CSV extract",
         ssda903.FORMAT: "SSDA903 path: looked-after data as the SSDA903 return's CSVs, read by the SSDA903 "
                         "adapter; the other entities native CSV"}
# the file of the first LA the one-LA-changed refresh touches: one the path's own reader reads
CHANGED_FILE = {"csv": "referrals.csv", ssda903.FORMAT: "episodes.csv"}


@dataclass
class Timing:
    seconds: float
    rows: int
    stages: dict[str, float] | None = None  # a refresh's seconds per stage (stage_seconds)
    dbt_nodes: dict[str, int] | None = None  # a refresh's dbt nodes by kind (dbt_nodes)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")


def generate(inbox: Path, **options) -> Timing:
    from pipeline.generate import generate_inbox

    started = time.perf_counter()
    generate_inbox(inbox, **options)
    seconds = time.perf_counter() - started
    return Timing(seconds, count_rows(inbox))


def bare_scan(inbox: Path) -> Timing:
    """Read every entity file of every LA once into DuckDB, as text, and drop it again."""
    import duckdb

    files = entity_files(inbox)
    started = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        for path in files:
            con.execute("create or replace temp table scanned as select * from "
                        "read_csv($path, header = true, all_varchar = true)", {"path": str(path)})
            rows += con.execute("select count(*) from scanned").fetchone()[0]
            con.execute("drop table scanned")
    return Timing(time.perf_counter() - started, rows)


def refresh(inbox: Path, warehouse: Path, rows: int, engine: str = "duckdb") -> tuple[Timing, dict[str, int]]:
    """A full refresh, as `pipeline refresh --engine <engine>` runs it; returns the timing and LAs per status."""
    from pipeline.defs.refresh import outcome, run_refresh

    started = time.perf_counter()
    result = run_refresh(inbox, warehouse, dbt_log=str(warehouse.with_name("bench.dbt.log")), engine=engine)
    seconds = time.perf_counter() - started
    done = outcome(result, warehouse)
    if not done.succeeded:
        raise RuntimeError(f"the refresh failed; see {warehouse.with_name('bench.dbt.log')} and the output above")
    statuses = Counter(la.status for la in done.las)
    return Timing(seconds, rows, stage_seconds(result.all_events, seconds), dbt_nodes(warehouse)), dict(statuses)


def column_lineage(folder: Path) -> tuple[Timing, float]:
    """The dbt models' column lineage as `make manifest` computes it (pipeline/column_lineage.py), from a
    copy of the prebuilt manifest in `folder` (the project's own is left alone), as a Timing whose rows
    are the models; and the seconds attaching it to the dbt assets takes when the definitions load."""
    import json

    from pipeline import column_lineage as lineage
    from pipeline.defs.assets.dbt import translator

    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    for name in ("manifest.json", "partial_parse.msgpack"):
        if lineage.MANIFEST.with_name(name).exists():
            shutil.copyfile(lineage.MANIFEST.with_name(name), folder / name)
    started = time.perf_counter()
    built = lineage.build(manifest)
    seconds = time.perf_counter() - started
    parsed = json.loads(manifest.read_text())
    started = time.perf_counter()
    for unique_id, columns in lineage.load(manifest).items():
        translator.column_metadata(parsed, unique_id, columns)
    attach = time.perf_counter() - started
    return Timing(seconds, sum("lineage" in n for n in built["nodes"].values())), attach


def dbt_nodes(warehouse: Path) -> dict[str, int]:
    """The nodes the refresh's dbt build ran, by kind (its run results): each costs dbt about 17 ms of its
    own work whatever its query, so their number is the dbt step's floor as the catalogue grows."""
    import json

    from pipeline.paths import dbt_run_results_path

    results = json.loads(dbt_run_results_path(warehouse).read_text())["results"]
    kinds = [r["unique_id"].split(".", 1)[0] for r in results]
    return {kind: kinds.count(kind) for kind in ("model", "seed", "test")}


STAGES = ("start-up", "load", "gate", "dbt", "publish", "report")


def stage_of(step_key: str) -> str:
    """The bench stage of one step of the full_refresh job (pipeline/defs/definitions.py)."""
    if step_key.startswith("raw_"):
        return "load"
    if step_key == "warehouse_dbt_assets":
        return "dbt"
    if step_key in ("published_warehouse", "postgres_published", "published_warehouse_extract_overdue"):
        return "publish"  # the overdue check (and its notices) follows the publication it reads
    if step_key == "scorecard_report":
        return "report"
    if step_key.endswith("_suite"):
        return "gate"  # the asset-check steps (GX suites on the indicator values)
    # a new step must be given its stage here, or its time would hide in another stage's share
    raise ValueError(f"bench: step {step_key!r} of the full_refresh job has no stage; add it to stage_of")


def stage_seconds(events, total: float) -> dict[str, float]:
    """Seconds per stage of one refresh, from its Dagster events: each step's duration (STEP_SUCCESS)
    goes to its stage; the raw steps' recorded gate time (metadata gate_seconds) moves from load to
    gate; start-up is the rest of the wall time (definitions load, job and resource start, between steps)."""
    stages = dict.fromkeys(STAGES, 0.0)
    gated = set()  # assets whose gate time is counted: a step materialises an asset once per LA partition
    for event in events:
        if event.is_step_start:
            gated = {(step, asset) for step, asset in gated if step != event.step_key}  # a next run counts again
        elif event.is_step_success:
            stages[stage_of(event.step_key)] += event.event_specific_data.duration_ms / 1000
        elif event.is_step_materialization and (event.step_key, event.asset_key) not in gated:
            gate = event.event_specific_data.materialization.metadata.get("gate_seconds")
            if gate is not None:
                gated.add((event.step_key, event.asset_key))
                stages["gate"] += gate.value
                stages["load"] -= gate.value
    stages["start-up"] = max(total - sum(stages.values()), 0.0)
    return stages


def print_stages(timing: Timing, print_=print) -> None:
    """Each stage's seconds and share of the refresh, and the peak memory so far."""
    shares = "  ".join(f"{name} {seconds:.1f} s ({100 * seconds / timing.seconds:.0f}%)"
                       for name, seconds in timing.stages.items())
    print_(f"  refresh stages: {shares}; peak memory {peak_memory_mb():,.0f} MB")
    if timing.dbt_nodes:
        n = timing.dbt_nodes
        print_(f"  dbt nodes: {sum(n.values())} ({n['model']} models, {n['seed']} seeds, {n['test']} data tests)")


def incremental_refresh(inbox: Path, warehouse: Path, expect: str) -> Timing:
    """`pipeline refresh` as a user runs it after the full refresh (its own process, start-up included);
    RuntimeError unless it succeeds and prints `expect`."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "refresh", "--inbox", str(inbox),
                           "--warehouse", str(warehouse)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or expect not in done.stdout:
        raise RuntimeError(f"`pipeline refresh` exited {done.returncode} without saying {expect!r}:\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return Timing(seconds, 0)


def entity_files(inbox: Path) -> list[Path]:
    """The extract files a refresh reads: native entity CSVs and, on the SSDA903 path, the 903 CSVs."""
    names = {f"{name}.csv" for name in entities()}
    native = [p for p in inbox.glob("*/*.csv") if p.name in names]
    return sorted(native + [p for folder in inbox.iterdir() if folder.is_dir() for p in ssda903.files(folder)])


def count_rows(inbox: Path) -> int:
    import duckdb

    with duckdb.connect() as con:
        return sum(con.execute("select count(*) from read_csv($p, header = true, all_varchar = true)",
                               {"p": str(p)}).fetchone()[0] for p in entity_files(inbox))


def peak_memory_mb() -> float:
    """Largest resident set of this process or any finished worker process (Linux: KiB)."""
    kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return kib / 1024


def run(scale: str, n_las: int | None, months: int, seed: int, jobs: int, work: Path | None,
        keep: bool, with_refresh: bool, print_=print, engine: str = "duckdb", fmt: str = "csv") -> dict[str, Timing]:
    """Generate (in format `fmt`, one of PATHS), scan and (optionally) refresh; print the figures and the
    path timed; return the timings. With engine spark, the refresh runs on DuckDB and then on Spark, and
    both figures are printed (UsageError first if this machine cannot run Spark)."""
    require_engine(engine)
    if fmt not in PATHS:
        raise ValueError(f"bench: unknown format {fmt!r} ({', '.join(PATHS)})")
    folder = Path(work) if work else Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    inbox, warehouse = folder / "inbox", folder / "warehouse.duckdb"
    timings: dict[str, Timing] = {}
    try:
        print_(f"bench: scale {scale}" + (f" ({n_las} LAs)" if n_las else "") + f", {months} months, seed {seed}, "
               f"{jobs} generation process(es), work folder {folder}")
        print_(f"  path timed: {PATHS[fmt]}")
        timings["generate"] = gen = generate(inbox, n_las=n_las, months=months, seed=seed, scale=scale, jobs=jobs,
                                             fmt=fmt)
        las = sum(1 for p in inbox.iterdir() if p.is_dir())
        children = _children_0_17(inbox)
        print_(f"  generate      {gen.rows:>12,} rows in {gen.seconds:8.1f} s  {gen.rows_per_second:>12,.0f} rows/s"
               f"  ({las} LAs, {children:,} children 0-17, {_size_mb(inbox):,.0f} MB of CSV, "
               f"peak memory {peak_memory_mb():,.0f} MB)")
        timings["scan"] = scan = bare_scan(inbox)
        print_(f"  bare scan     {scan.rows:>12,} rows in {scan.seconds:8.1f} s  {scan.rows_per_second:>12,.0f} rows/s"
               f"  (DuckDB read_csv of every file once)")
        if with_refresh:
            timings["refresh"], statuses = refresh(inbox, warehouse, gen.rows)
            full = timings["refresh"]
            print_(f"  full refresh  {full.rows:>12,} rows in {full.seconds:8.1f} s  {full.rows_per_second:>12,.0f} rows/s"
                   f"  ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})")
            print_(f"  refresh / bare scan: {full.seconds / scan.seconds:,.1f}x")
            # what the runs were recorded in changes the figures (README "Benchmarks": Dagster's storage)
            home = settings().dagster_home
            print_("  runs recorded in: " + (f"the Dagster instance in {home} (DAGSTER_HOME)" if home
                                             else "an ephemeral Dagster instance (DAGSTER_HOME unset)"))
            print_stages(full, print_)
            timings["unchanged"] = unchanged = incremental_refresh(inbox, warehouse, "nothing changed")
            print_(f"  unchanged inbox       {unchanged.seconds:8.1f} s  {unchanged.seconds / scan.seconds:,.1f}x the "
                   f"bare scan  (`pipeline refresh` end to end: nothing published)")
            first = sorted(p for p in inbox.iterdir() if p.is_dir())[0]
            changed = first / CHANGED_FILE[fmt]
            os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 1_000_000_000))
            timings["one_la"] = one = incremental_refresh(inbox, warehouse, f"{first.name}: refresh: extract changed")
            print_(f"  one LA changed        {one.seconds:8.1f} s  {one.seconds / scan.seconds:,.1f}x the "
                   f"bare scan  (`pipeline refresh` end to end: {first.name} refreshed, the others skipped)")
            timings["lineage"], attach = column_lineage(folder / "lineage")
            print_(f"  column lineage        {timings['lineage'].seconds:8.1f} s  ({timings['lineage'].rows} dbt models; "
                   f"once per manifest, outside the refresh: make manifest; attaching it to the dbt assets "
                   f"adds {1000 * attach:.0f} ms to each definitions load)")
            if engine == "spark":
                timings["refresh_spark"], statuses = refresh(inbox, folder / "spark" / "warehouse.duckdb", gen.rows, "spark")
                spark = timings["refresh_spark"]
                print_(f"  refresh spark {spark.rows:>12,} rows in {spark.seconds:8.1f} s  {spark.rows_per_second:>12,.0f} rows/s"
                       f"  ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})")
                print_(f"  spark / duckdb refresh: {spark.seconds / full.seconds:,.1f}x  (Spark in local mode on this "
                       f"machine's cores: it shows the project runs there, not how Spark scales)")
    finally:
        if not keep and not work:
            shutil.rmtree(folder, ignore_errors=True)
    return timings


def _children_0_17(inbox: Path) -> int:
    import yaml

    total = 0
    for manifest in inbox.glob("*/manifest.yml"):
        data = yaml.safe_load(manifest.read_text())
        total += data["population_0_17"][max(data["population_0_17"])]
    return total


def _size_mb(inbox: Path) -> float:
    return sum(p.stat().st_size for p in entity_files(inbox)) / 1e6

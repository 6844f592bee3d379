"""`pipeline refresh` incremental by default, on generated data (3 LAs x 13 months): one sequence
of refreshes shared by the module, each step checked against the one before, and at the end
against a --full refresh of the same inbox into a fresh warehouse (the equivalence the issue asks for).

Sequence: A and B published; C added; B changed; A forced with --la; A held back by a defect
and then fixed; C's folder removed; the unchanged inbox; a gate threshold changed (reference data). Each step runs the real CLI (Dagster, dbt).
"""

import filecmp
import io
import shutil
from contextlib import redirect_stdout

import dagster as dg
import duckdb
import pytest

from pipeline.cli import main
from pipeline.generate import generate_inbox
from pipeline.paths import INSTANCE_CONFIG, audit_path_for

# ledgers: by run, so an incremental history and a full one differ by design
LEDGERS = {"publications", "indicator_history", "data_quality"}


def refresh(inbox, warehouse, *extra) -> tuple[int, str]:
    """The CLI's exit code and stdout (capsys is per test: the module's sequence reads stdout itself)."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse), *extra])
    return code, out.getvalue()


def published_rows(warehouse, keep=None, drop=()) -> dict[str, list]:
    """Every table of schema `published` but the ledgers, sorted, of the LAs in `keep` (all when None)
    and not in `drop`; a table without la_code whole."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'published'"
                                            " order by 1").fetchall()]
        for t in tables:
            if t in LEDGERS:
                continue
            cols = [r[0] for r in con.execute(f"describe published.{t}").fetchall()]
            rows = con.execute(f"select * from published.{t} order by all").fetchall()
            if "la_code" in cols:
                i = cols.index("la_code")
                rows = [r for r in rows if (keep is None or r[i] in keep) and r[i] not in drop]
            out[t] = rows
    return out


def ledger_rows(warehouse, las) -> dict[str, list]:
    """What the ledgers say of each LA's latest publication, without what stamps a run (run_id, times):
    its publications row, its data_quality rows, and the latest indicator_history row of each figure it
    publishes now. An incremental history and a full one agree on these, whatever runs came before."""
    queries = {
        "publications": """select la_code, extract_date, status, reason from published.publications
                           where la_code in ? qualify row_number() over (partition by la_code
                           order by finished_at desc) = 1 order by all""",
        "data_quality": """select la_code, entity, check_name, severity, rows_checked, rows_failed, passed, details
                           from published.data_quality q where la_code in ? and run_id = (select max_by(run_id,
                           finished_at) from published.publications p where p.la_code = q.la_code) order by all""",
        "indicator_history": """select * exclude (published_at, run_id) from published.indicator_history h
                                where la_code in ? and exists (select 1 from published.indicator_values v
                                where v.la_code = h.la_code and v.indicator_id = h.indicator_id
                                and v.period_type = h.period_type and v.period_end = h.period_end
                                and v.dimension is not distinct from h.dimension
                                and v.dimension_value is not distinct from h.dimension_value)
                                qualify row_number() over (partition by la_code, indicator_id, period_type,
                                period_end, dimension, dimension_value order by published_at desc) = 1
                                order by all""",
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {table: con.execute(sql, [list(las)]).fetchall() for table, sql in queries.items()}


def publications(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select run_id, la_code, status from published.publications order by finished_at, la_code"
                           ).fetchall()


def runs_of(rows) -> list[list[str]]:
    """LAs per publication run, in run order."""
    runs: dict[str, list[str]] = {}
    for run, la, _ in rows:
        runs.setdefault(run, []).append(la)
    return list(runs.values())


@pytest.fixture(scope="module")
def steps(tmp_path_factory):
    """Run the sequence once; every step's output, exit code and warehouse copy, by name."""
    root = tmp_path_factory.mktemp("incremental")
    inbox, aside = root / "inbox", root / "aside"
    a, b, c = generate_inbox(inbox, n_las=3, months=13)
    aside.mkdir()
    shutil.move(inbox / c, aside / c)
    warehouse = root / "warehouse.duckdb"
    out = {"codes": (a, b, c), "inbox": inbox, "root": root, "dagster_home": root / "dagster"}
    with pytest.MonkeyPatch.context() as patch:  # the runs go to a Dagster instance, as with the UI
        patch.setenv("DAGSTER_HOME", str(out["dagster_home"]))
        run_sequence(inbox, aside, warehouse, out)
    return out


def run_sequence(inbox, aside, warehouse, out):
    root, (a, b, c) = out["root"], out["codes"]

    def step(name, *extra):
        code, text = refresh(inbox, warehouse, *extra)
        copy = root / f"{name}.duckdb"
        shutil.copy(warehouse, copy)
        if audit_path_for(warehouse).exists():  # the restricted audit file goes with its warehouse
            shutil.copy(audit_path_for(warehouse), audit_path_for(copy))
        out[name] = (code, text, copy)
        dbt_log = warehouse.with_name("warehouse.dbt.log")  # the CLI's: each refresh that builds rewrites it
        out.setdefault("dbt_logs", {})[name] = dbt_log.read_text() if dbt_log.exists() else ""
        dbt_log.unlink(missing_ok=True)

    step("first")
    shutil.move(aside / c, inbox / c)
    step("add_c")
    referrals = inbox / b / "referrals.csv"
    lines = referrals.read_text().splitlines(keepends=True)
    referrals.write_text("".join(lines[:-5]))  # five referrals fewer: B's figures change
    step("change_b")
    step("force_a", "--la", a)
    children = inbox / a / "children.csv"
    good = children.read_text()
    rows = good.splitlines(keepends=True)
    # a sex code outside the code list in every 5th child: 20% quarantined, over the 5% threshold
    children.write_text(rows[0] + "".join(r.replace(",M,", ",Q,").replace(",F,", ",Q,") if i % 5 == 0 else r
                                          for i, r in enumerate(rows[1:])))
    step("defect_a")
    children.write_text(good)
    step("fix_a")
    shutil.move(inbox / c, aside / c)
    step("remove_c")
    step("unchanged")
    step("threshold", "--max-quarantine-share", "0.5")  # reference data: a gate threshold changed
    fresh = root / "fresh.duckdb"
    out["full"] = (*refresh(inbox, fresh, "--full"), fresh)


def test_each_refresh_runs_only_the_las_that_changed_and_says_why(steps):
    a, b, c = steps["codes"]
    code, text, _ = steps["add_c"]
    assert code == 0
    assert f"{c}: refresh: new LA (no refresh state recorded)" in text
    assert f"{a}: skipped: unchanged since run" in text and f"{b}: skipped: unchanged since run" in text
    code, text, _ = steps["change_b"]
    assert code == 0 and f"{b}: refresh: extract changed" in text and f"{a}: skipped" in text
    code, text, _ = steps["force_a"]
    assert code == 0 and f"{a}: refresh: forced (--la)" in text and f"{b}: skipped" in text
    # one publications row per LA refreshed, per run
    assert runs_of(publications(steps["fix_a"][2])) == [[a, b], [c], [b], [a], [a], [a]]


def test_each_la_is_a_dagster_partition_with_each_run_and_status_recorded(steps):
    a, b, c = steps["codes"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(steps["dagster_home"]))
        # the first refresh made the instance folder, with the run queue's configuration (as make ui does)
        assert (steps["dagster_home"] / "dagster.yaml").read_text() == INSTANCE_CONFIG.read_text()
        with dg.DagsterInstance.get() as instance:
            assert instance.get_dynamic_partitions("la") == [a, b, c]  # in the order they came
            runs = sorted(instance.get_runs(), key=lambda r: instance.get_run_stats(r.run_id).start_time)
            assert [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
                    for r in runs] == [(a, b), (c, c), (b, b), (a, a), (a, a), (a, a), (a, b), (a, b)]
            assert all(r.is_success for r in runs)  # held back is a verdict, not a failed run
            for asset in ("raw_manifests", "raw_referrals", "published_warehouse"):
                assert instance.get_materialized_partitions(dg.AssetKey(asset)) == {a, b, c}
            # each LA partition's publish status, run by run: the UI's partition view
            records = instance.fetch_observations(dg.AssetKey("published_warehouse"), limit=100).records
            statuses = [(r.asset_observation.partition, r.asset_observation.metadata["status"].value)
                        for r in sorted(records, key=lambda r: r.storage_id)]
    assert statuses == [(a, "published"), (b, "published"), (c, "published"), (b, "published"), (a, "published"),
                        (a, "held_back"), (a, "published"), (a, "published"), (b, "published"),
                        (a, "published"), (b, "published")]


def test_other_las_rows_are_untouched_in_every_published_table(steps):
    a, b, c = steps["codes"]
    before, after = steps["add_c"][2], steps["change_b"][2]
    assert published_rows(after, drop=[b]) == published_rows(before, drop=[b])
    assert published_rows(after, keep=[b]) != published_rows(before, keep=[b])  # B's figures did change


def test_held_back_la_keeps_its_last_publication_and_is_not_retried_until_fixed(steps):
    a, b, c = steps["codes"]
    code, text, held = steps["defect_a"]
    assert code == 1 and f"{a}: held_back" in text and "quarantine_share" in text
    assert published_rows(held) == published_rows(steps["force_a"][2])
    code, text, fixed = steps["fix_a"]
    assert code == 0 and f"{a}: refresh: extract changed" in text and f"{a}: published" in text


def test_dbt_reuses_the_setup_s_parse_from_the_warehouse_s_first_refresh(steps):
    # every refresh gives dbt the same profile (the build warehouse by its file name, pipeline/paths.py),
    # so the parse make setup prebuilt stays valid: dbt never parses the whole project again
    logs = steps["dbt_logs"]
    built = [name for name, text in logs.items() if text]
    assert {"first", "add_c", "change_b", "force_a", "fix_a"} <= set(built)
    assert [name for name in built if "Unable to do partial parsing" in logs[name]] == []
    assert logs["unchanged"] == ""  # nothing to refresh: dbt never ran


def test_unchanged_inbox_publishes_nothing(steps):
    code, text, warehouse = steps["unchanged"]
    assert code == 0
    assert "nothing changed: nothing refreshed, nothing published" in text
    assert publications(warehouse) == publications(steps["remove_c"][2])
    assert filecmp.cmp(warehouse, steps["remove_c"][2], shallow=False)  # the published file was not rewritten


def test_removed_la_keeps_its_last_publication(steps):
    a, b, c = steps["codes"]
    code, text, warehouse = steps["remove_c"]
    assert code == 0 and c not in text  # not in the inbox: neither planned nor skipped
    assert published_rows(warehouse, keep=[c]) == published_rows(steps["fix_a"][2], keep=[c])
    assert published_rows(warehouse, keep=[c])["indicator_values"]


def test_incremental_sequence_equals_a_full_refresh_of_the_same_inbox(steps):
    a, b, c = steps["codes"]
    code, text, fresh = steps["full"]
    assert code == 0 and f"{a}: refresh: forced (--full)" in text and f"{b}: refresh: forced (--full)" in text
    incremental = published_rows(steps["unchanged"][2], keep=[a, b])
    assert incremental == published_rows(fresh, keep=[a, b])
    assert all(incremental[t] for t in incremental)  # something was compared in every table
    ledgers = ledger_rows(steps["unchanged"][2], [a, b])
    assert ledgers == ledger_rows(fresh, [a, b])  # the ledgers too, on what each LA's publication says
    assert all(ledgers[t] for t in ledgers) and {la for la, *_ in ledgers["publications"]} == {a, b}


def test_a_reference_data_change_reruns_every_la_through_a_real_refresh(steps):
    """A gate threshold changed (reference data, pipeline/state.py): the next refresh runs every LA in the
    inbox, says why, and publishes them again, with the same figures (the threshold held none back)."""
    a, b, c = steps["codes"]
    code, text, warehouse = steps["threshold"]
    assert code == 0, text
    for la in (a, b):
        assert f"{la}: refresh: reference data changed" in text and f"{la}: published" in text
    assert runs_of(publications(warehouse))[-1] == [a, b]  # one more run, of both
    assert published_rows(warehouse) == published_rows(steps["unchanged"][2])


def test_withdraw_removes_an_la_from_every_published_table_and_nothing_else(steps, tmp_path):
    a, b, c = steps["codes"]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(steps["unchanged"][2], warehouse)
    shutil.copy(audit_path_for(steps["unchanged"][2]), audit_path_for(warehouse))
    assert main(["withdraw", "--la", c, "--warehouse", str(warehouse)]) == 0
    assert published_rows(warehouse, keep=[c]) == {t: [] for t in published_rows(warehouse, keep=[c])} | {
        "indicator_catalogue": published_rows(warehouse)["indicator_catalogue"]}
    assert published_rows(warehouse, drop=[c]) == published_rows(steps["unchanged"][2], drop=[c])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status from published.publications where la_code = $c order by finished_at desc "
                           "limit 1", {"c": c}).fetchall() == [("withdrawn",)]
        assert con.execute("select la_code from audit.refresh_state order by 1").fetchall() == [(a,), (b,)]
        # the ledger keeps what was published
        assert con.execute("select count(*) from published.indicator_history where la_code = $c",
                           {"c": c}).fetchone()[0] > 0
        assert con.execute("select count(*) from published.indicator_restatements").fetchone()[0] > 0
    with duckdb.connect(str(audit_path_for(warehouse)), read_only=True) as con:
        assert con.execute("select count(*) from audit.quarantine where la_code = $c", {"c": c}).fetchone() == (0,)


def test_withdrawing_an_la_the_warehouse_never_published_names_it(steps, tmp_path, capsys):
    a, b, c = steps["codes"]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(steps["unchanged"][2], warehouse)
    before = warehouse.read_bytes()
    assert main(["withdraw", "--la", "Z999", "--warehouse", str(warehouse)]) == 2
    assert f"--la Z999: not in warehouse {warehouse} (LAs it has published: {a}, {b}, {c})" in capsys.readouterr().err
    assert warehouse.read_bytes() == before

"""Change detection (pipeline/state.py): what makes an LA run again, on generated files."""

import os
import shutil

import duckdb
import pytest

from pipeline.generate import generate_inbox
from pipeline.load.inbox import inbox_notes
from pipeline.paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR, SEEDS_DIR
from pipeline.defs.resources import build_resources
from pipeline.state import STATE_DDL, folder_fingerprint, la_reference, las_to_run, plan, reference_fingerprint


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("state") / "inbox"
    codes = generate_inbox(inbox, n_las=2, months=2)
    return inbox, codes


def test_folder_fingerprint_changes_with_any_file_added_changed_or_removed(generated, tmp_path):
    inbox, codes = generated
    folder = tmp_path / codes[0]
    shutil.copytree(inbox / codes[0], folder)
    before = folder_fingerprint(folder)
    assert folder_fingerprint(folder) == before  # nothing changed, nothing differs
    visits = folder / "visits.csv"
    st = visits.stat()
    os.utime(visits, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # rewritten: a new mtime
    touched = folder_fingerprint(folder)
    assert touched != before
    (folder / "notes.txt").write_text("extra file")
    added = folder_fingerprint(folder)
    assert added != touched
    (folder / "notes.txt").unlink()
    assert folder_fingerprint(folder) == touched
    visits.unlink()
    assert folder_fingerprint(folder) != touched


def test_reference_fingerprint_follows_seed_content_thresholds_and_expectations(tmp_path):
    seeds = shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    expectations = shutil.copytree(EXPECTATIONS_DIR, tmp_path / "expectations")
    base = reference_fingerprint()
    assert reference_fingerprint(expectations, seeds) == base  # same content, other folders: same
    assert reference_fingerprint(max_quarantine_share=0.05) == base  # the default, spelt out
    assert reference_fingerprint(max_quarantine_share=0.2) != base
    holidays = seeds / "bank_holidays.csv"
    holidays.write_text(holidays.read_text() + "2099-12-25,Christmas Day\n")
    assert reference_fingerprint(expectations, seeds) != base
    shutil.copy(SEEDS_DIR / "bank_holidays.csv", holidays)
    (expectations / "visits.json").write_text((expectations / "visits.json").read_text().replace("  ", " "))
    assert reference_fingerprint(expectations, seeds) != base
    dbt = shutil.copytree(DBT_PROJECT_DIR, tmp_path / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    assert reference_fingerprint(dbt_project=dbt) == base
    (dbt / "macros" / "new_macro.sql").write_text("{% macro x() %}1{% endmacro %}")
    assert reference_fingerprint(dbt_project=dbt) != base


def test_the_cli_plans_with_the_reference_its_runs_are_built_with(tmp_path):
    """The CLI fingerprints the reference before any definitions exist and hands it to the runs
    (pipeline/defs/refresh.py): it must be what RefreshSettings with the same thresholds would compute."""
    thresholds = {"max_quarantine_share": 0.2, "max_overlap_share": 0.5}
    settings = build_resources(tmp_path, tmp_path / "w.duckdb", **thresholds)["settings"]
    assert settings.reference_fingerprint == reference_fingerprint(**thresholds) != reference_fingerprint()


def _record(warehouse, rows, seeds=None):
    """audit.refresh_state as a refresh leaves it: (la, folder fingerprint, reference, status) rows, the
    reference recorded as the LA's la_reference of it."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists audit")
        con.execute(STATE_DDL)
        con.executemany("insert into audit.refresh_state values (?, ?, ?, 'run-1', '2026-01-01 02:00', ?)",
                        [(la, folder, la_reference(reference, la, seeds), status) for la, folder, reference, status in rows])


def test_plan_says_which_las_run_and_why(generated, tmp_path):
    inbox, (a, b) = generated
    warehouse = tmp_path / "warehouse.duckdb"
    reference = reference_fingerprint()
    assert [(p.la_code, p.run, p.reason) for p in plan(inbox, warehouse, reference)] == [
        (a, True, "new LA (no refresh state recorded)"), (b, True, "new LA (no refresh state recorded)")]
    _record(warehouse, [(a, folder_fingerprint(inbox / a), reference, "published"),
                        (b, "an older fingerprint", reference, "held_back")])
    planned = {p.la_code: p for p in plan(inbox, warehouse, reference)}
    assert not planned[a].run and planned[a].reason == "unchanged since run run-1 at 2026-01-01 02:00 (published)"
    assert planned[b].run and planned[b].reason == "extract changed"
    other = reference_fingerprint(max_overlap_share=0.5)
    assert [p.reason for p in plan(inbox, warehouse, other)][0].startswith("reference data changed")
    assert [(p.run, p.reason) for p in plan(inbox, warehouse, reference, force=[a])][0] == (True, "forced (--la)")
    assert all(p.run and p.reason == "forced (--full)" for p in plan(inbox, warehouse, reference, full=True))


def test_a_settings_change_reruns_only_the_las_it_applies_to(generated, tmp_path):
    """practice.md section 3: la_settings.csv is reference data, but a row of one LA is that LA's alone;
    a `*` default applies to every LA; a changed `source` note changes no figure and re-runs nothing."""
    inbox, (a, b) = generated
    seeds = shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    warehouse = tmp_path / "warehouse.duckdb"
    reference = reference_fingerprint()
    _record(warehouse, [(code, folder_fingerprint(inbox / code), reference, "published") for code in (a, b)], seeds)
    settings = seeds / "la_settings.csv"
    original = settings.read_text()

    def runs(text):
        settings.write_text(text)
        assert reference_fingerprint(seeds=seeds) == reference  # the shared reference leaves the seed out
        return [p.la_code for p in plan(inbox, warehouse, reference, seeds=seeds) if p.run]

    assert runs(original) == []
    assert runs(original + f"{a},cp_visit_wd,12,2025-06-01,local standard from June\n") == [a]
    assert runs(original.replace("*,cp_visit_wd,10,", "*,cp_visit_wd,9,")) == [a, b]
    assert runs(original.replace("matches CPP_VISIT_10WD", "reworded note")) == []


def test_held_back_la_unchanged_is_not_retried(generated, tmp_path):
    inbox, (a, b) = generated
    warehouse = tmp_path / "warehouse.duckdb"
    reference = reference_fingerprint()
    _record(warehouse, [(code, folder_fingerprint(inbox / code), reference, "held_back") for code in (a, b)])
    assert [p.reason for p in plan(inbox, warehouse, reference)] == [
        "unchanged since run run-1 at 2026-01-01 02:00 (held back)"] * 2


def test_forcing_an_la_without_a_folder_names_it_and_the_folders(generated, tmp_path):
    inbox, (a, b) = generated
    with pytest.raises(ValueError, match=rf"--la Z999: no such LA folder in inbox .*\(LA folders: {a}, {b}\)"):
        plan(inbox, tmp_path / "w.duckdb", reference_fingerprint(), force=["Z999"])


def test_a_folder_name_that_cannot_be_an_la_partition_is_reported_not_planned(generated, tmp_path):
    inbox, codes = generated
    shutil.copytree(inbox, tmp_path / "inbox")
    inbox = tmp_path / "inbox"
    for name in (f"{codes[0]}...old", f"{codes[0]}\tcopy", f".{codes[0]}"):
        shutil.copytree(inbox / codes[0], inbox / name)
    assert [p.la_code for p in plan(inbox, tmp_path / "w.duckdb", "ref")] == sorted(codes)
    notes = inbox_notes(inbox)
    assert sorted((n.folder, n.rule) for n in notes) == sorted(
        [(f".{codes[0]}", "hidden_folder"), (f"{codes[0]}...old", "la_folder_name"), (f"{codes[0]}\tcopy", "la_folder_name")])
    assert f"'{codes[0]}\\tcopy': a folder whose name holds '...' or a control character is not read as an LA " \
           "extract (it cannot name an LA): rename it to the LA code (rule la_folder_name)" in [n.message for n in notes]


def test_a_refresh_that_waited_while_the_reference_data_changed_runs_every_la_it_affects(generated, tmp_path):
    """`refresh --wait` plans before it gets the lock: if the reference data changes meanwhile, the
    runs (built with the new data) must cover every LA it affects, not only the LAs planned."""
    inbox, (a, b) = generated
    warehouse = tmp_path / "warehouse.duckdb"
    before = reference_fingerprint()
    _record(warehouse, [(code, folder_fingerprint(inbox / code), before, "published") for code in (a, b)])
    now = reference_fingerprint(max_overlap_share=0.5)
    assert las_to_run(inbox, warehouse, before, [a], planned_with=before) == [a]  # nothing changed meanwhile
    assert las_to_run(inbox, warehouse, now, [a], planned_with=before) == [a, b]
    assert las_to_run(inbox, warehouse, now, [a]) == [a]  # LAs chosen without a plan: exactly those
    assert las_to_run(inbox, warehouse, before) == []  # nothing changed since the recorded refresh

"""The bad-input corpus (README.md here): every case through the same load and gate functions a
refresh runs and `pipeline validate` prints, asserting its exact outcome; a few cases through the
real command line and a whole refresh, to show what is published or held back."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.quality.findings import print_findings
from pipeline.load.inbox import printable
from pipeline.paths import PROJECT_DIR, audit_path_for
from pipeline.publish import la_verdicts
from pipeline.quality.inbox_check import check_inbox
from pipeline.defs.resources import RefreshSettings

HERE = Path(__file__).resolve().parent
BASE = HERE / "base" / "X1"
CASES = sorted(p.name for p in (HERE / "cases").iterdir() if (p / "case.yml").exists())


def assemble(case: str, inbox: Path, la_code: str = "X1") -> dict:
    """inbox/<la_code>/: the good base extract with the case's files laid over it; returns its
    expectations, with `la` the LA code the folder is reported under.

    `setup` in case.yml makes what a file cannot carry: `links` (name: target), `fifos` (names),
    `folder_name_suffix_bytes` (hex bytes appended to the folder name), `twin_in_upper_case` (a copy
    of the folder named in upper case), `hidden_copy` (a copy named .<la_code>)."""
    folder = inbox / la_code
    shutil.copytree(BASE, folder)
    spec = yaml.safe_load((HERE / "cases" / case / "case.yml").read_text())
    setup = spec.get("setup", {})
    for name in spec.get("remove", []):
        (folder / name).unlink()
    for path in (HERE / "cases" / case).iterdir():
        if path.name != "case.yml":
            shutil.copy(path, folder / path.name)
    manifest = folder / "manifest.yml"
    if la_code != "X1" and manifest.exists():
        manifest.write_text(manifest.read_text().replace("la_code: X1", f"la_code: {la_code}"))
    for name, target in setup.get("links", {}).items():
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target)
    for name in setup.get("fifos", []):
        (folder / name).unlink(missing_ok=True)
        os.mkfifo(folder / name)
    if setup.get("twin_in_upper_case"):
        twin = shutil.copytree(folder, inbox / la_code.upper())
        (twin / "manifest.yml").write_text(manifest.read_text().replace(f"la_code: {la_code}", f"la_code: {twin.name}"))
    if setup.get("hidden_copy"):
        shutil.copytree(folder, inbox / f".{la_code}")
    expect = dict(spec.get("expect", {}), la=la_code)
    if "folder_name_suffix_bytes" in setup:
        renamed = os.fsdecode(os.fsencode(folder) + bytes.fromhex(setup["folder_name_suffix_bytes"]))
        folder.rename(renamed)
        expect["la"] = printable(Path(renamed).name)
    return expect


def test_the_good_la_beside_the_bad_ones_publishes_untouched(corpus):
    con, _ = corpus
    assert con.execute("select count(*) from audit.dataset_issues where la_code = 'GOOD'").fetchone()[0] == 0
    assert con.execute("select count(*) from audit.quarantine where la_code = 'GOOD'").fetchone()[0] == 0
    assert con.execute("select sum(rows_supplied), sum(rows_loaded) from raw.supplied_entities "
                       "where la_code = 'GOOD'").fetchone() == (188, 188)


def test_the_corpus_is_large_and_every_case_says_what_it_is():
    assert len(CASES) >= 70
    for case in CASES:
        spec = yaml.safe_load((HERE / "cases" / case / "case.yml").read_text())
        assert spec["about"] and {"exit", "verdict", "quarantined", "issues", "output"} <= set(spec["expect"]), case


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every case as one LA (named after the case) of one inbox, loaded and gated once: each LA is
    judged on its own, so the cases cannot disturb each other (and the gate runs once, not 40 times)."""
    inbox = tmp_path_factory.mktemp("corpus") / "inbox"
    expected = {case: assemble(case, inbox, case) for case in CASES}
    shutil.copytree(BASE, inbox / "GOOD")  # a good LA beside every bad one: it must publish as if alone
    (inbox / "GOOD" / "manifest.yml").write_text((BASE / "manifest.yml").read_text().replace("X1", "GOOD"))
    con = duckdb.connect()
    check_inbox(con, inbox, RefreshSettings(inbox_dir=str(inbox)))
    return con, expected


def by_repr(rows) -> list:
    return sorted(rows, key=repr)  # rows mix None and text


def mine(expected, case: str):
    """The case's expectations with the base extract's LA code X1 replaced by the case's own."""
    return json.loads(json.dumps(expected[case]).replace("X1", case))


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, corpus, capsys):
    con, expected = corpus
    expect = mine(expected, case)
    la = expect["la"]
    exit_code = print_findings(con, la)  # what `pipeline validate` prints for this LA
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    for text in expect["output"]:
        assert text in out.out, f"{text!r} not in:\n{out.out}"
    assert exit_code == expect["exit"]

    # the named errors: file, row, column, value and rule of every quarantined row
    focus = set(expect.get("rows", {})) | {q[0] for q in expect["quarantined"]}
    quarantined = con.execute("select source_file, row_number, column_name, raw_value, rule from audit.quarantine "
                              "where la_code = ?", [la]).fetchall()
    assert by_repr(q for q in quarantined if q[0] in focus) == by_repr(tuple(q) for q in expect["quarantined"])
    if not expect.get("other_files_quarantine"):
        assert [q for q in quarantined if q[0] not in focus] == []
    issues = con.execute("""select case when entity = 'manifest' then 'manifest' else coalesce(source_file, entity) end,
                                   rule, severity from audit.dataset_issues where la_code = ?""", [la]).fetchall()
    assert sorted(issues) == sorted(tuple(i) for i in expect["issues"])

    # nothing is lost: loaded + quarantined = supplied, and every quarantined row is in audit.quarantine
    files = con.execute("""select source_file, rows_supplied, rows_loaded, rows_quarantined,
                                  (select count(distinct row_number) from audit.quarantine q
                                   where q.la_code = s.la_code and q.source_file = s.source_file)
                           from raw.supplied_entities s where la_code = ?""", [la]).fetchall()
    for name, supplied, loaded, n_quarantined, in_audit in files:
        assert loaded + n_quarantined == supplied and n_quarantined == in_audit, name
    counts = {name: [supplied, loaded, n] for name, supplied, loaded, n, _ in files}
    for name, rows in expect.get("rows", {}).items():
        assert counts[name] == rows, name

    # published or held back, and why
    verdicts = {v.la_code: v for v in la_verdicts(con)}
    if expect["verdict"] == "not_an_la":  # a finding about the folder, which is never loaded (no manifest)
        assert la not in verdicts and files == []
    else:
        verdict = verdicts[la]
        assert verdict.status == expect["verdict"], verdict.reason
    if "reason" in expect:
        assert expect["reason"] in verdict.reason
    assert verdicts["GOOD"].status == "published"  # the other LA of the inbox is not disturbed
    for folder, issues in expect.get("other_folders", {}).items():  # e.g. a twin or hidden copy of the folder
        assert sorted(con.execute("select entity, rule, severity from audit.dataset_issues where la_code = ?",
                                  [folder]).fetchall()) == sorted(tuple(i) for i in issues), folder
        if folder.startswith("."):
            assert folder not in verdicts  # a hidden folder is reported, never loaded as an LA
        else:
            assert verdicts[folder].status == "held_back"
    for entity, check, severity in expect.get("failed_checks", []):
        assert con.execute("select count(*) from audit.data_quality where la_code = ? and entity = ? and check_name = ? "
                           "and severity = ? and not passed", [la, entity, check, severity]).fetchone()[0] == 1
    for entity, extra in expect.get("extra", {}).items():
        assert {r[0] for r in con.execute(f"select distinct _extra from raw.{entity} where la_code = ?",
                                          [la]).fetchall()} == {extra}
    for entity, text in expect.get("extra_contains", {}).items():
        assert con.execute(f"select count(*) from raw.{entity} where la_code = ? and _extra like ?",
                           [la, f"%{text}%"]).fetchone()[0] == 1
    for entity, dates in expect.get("dates", {}).items():
        got = dict(con.execute(f"select referral_id, referral_date::varchar from raw.{entity} where la_code = ?",
                               [la]).fetchall())
        assert {k: got[k] for k in dates} == dates


# --- through the real command line, and a whole refresh ------------------------------------

REFRESHED = {"XGOOD": None, "XBOM": "utf8_bom", "XORPH": "orphan_child", "XTRUNC": "xlsx_truncated",
             "XSEMI": "semicolon_delimiter", "XMANI": "manifest_names_another_la",
             # hostile inputs that once stopped every LA, hung, leaked a system file or published a wrong figure
             "XPOP": "manifest_population_beyond_bigint", "XPOPOK": "manifest_population_valid",
             "XLINK": "symlink_outside_inbox", "XFIFO": "fifo_named_like_entity", "XHIDE": "xlsx_hidden_first_sheet",
             "XUTF": "folder_name_not_utf8", "XDOT": "dot_folder_beside_la",
             # files without a manifest: a finding, never an LA (3,000 such folders once cost minutes of Dagster events)
             "XNOMAN": "manifest_missing"}


@pytest.fixture(scope="module")
def mixed_inbox(tmp_path_factory) -> tuple[Path, dict]:
    """One inbox, one LA per case (a good one too), as a real inbox would mix good and bad extracts."""
    inbox = tmp_path_factory.mktemp("mixed") / "inbox"
    expected = {}
    for la, case in REFRESHED.items():
        if case is None:
            shutil.copytree(BASE, inbox / la)
            (inbox / la / "manifest.yml").write_text((BASE / "manifest.yml").read_text().replace("X1", la))
            expected[la] = {"verdict": "published", "la": la}
        else:
            expected[la] = assemble(case, inbox, la)
    return inbox, expected


def test_validate_command_reports_without_a_traceback(mixed_inbox):
    inbox, expected = mixed_inbox
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", str(inbox)], capture_output=True,
                          text=True, cwd=PROJECT_DIR, env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)), timeout=600)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1
    assert "X1/referrals.xlsx" not in done.stdout  # every LA is named by its own code
    assert "XTRUNC/referrals.xlsx: is a damaged or truncated xlsx workbook" in done.stdout
    assert "XMANI/manifest.yml: la_code 'X2' does not match the folder name 'XMANI'" in done.stdout
    assert "XLINK/referrals.csv: is a symbolic link to /etc/passwd, outside the inbox" in done.stdout
    assert "XUTF\\xff: the folder name is not valid UTF-8 text" in done.stdout
    assert "inbox: WARNING .XDOT: a hidden folder (its name starts with '.') is not read" in done.stdout
    assert "inbox: ERROR XNOMAN: the folder has files but no manifest.yml, so it is not read" in done.stdout
    assert "(rule link_outside_inbox) (rule" not in done.stdout  # the rule is said once
    assert ("13 LA(s): 6 would publish, 7 would be held back (XFIFO, XLINK, XMANI, XPOP, XSEMI, XTRUNC, XUTF\\xff)"
            in done.stdout)


def test_refresh_publishes_the_good_and_holds_back_the_bad(mixed_inbox, tmp_path, capsys, monkeypatch):
    import dagster as dg

    from pipeline.cli import main

    inbox, expected = mixed_inbox
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # a recorded instance: its partitions are read below
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 1  # 1: some LA held back
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    las = sorted(e["la"] for e in expected.values() if e["verdict"] != "not_an_la")
    # the folder without a manifest is said, and is no Dagster partition: nothing materialised or checked for it
    assert "inbox: ERROR XNOMAN: the folder has files but no manifest.yml" in out.out
    assert "1 inbox folder(s) not read, no manifest: XNOMAN" in out.out
    with dg.DagsterInstance.get() as instance:
        assert sorted(instance.get_dynamic_partitions("la")) == las
        assert instance.get_materialized_partitions(dg.AssetKey("raw_manifests")) == set(las)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(con.execute("select la_code, status from published.publications").fetchall())
        assert status == {e["la"]: e["verdict"] for e in expected.values() if e["verdict"] != "not_an_la"}
        published = {r[0] for r in con.execute("select distinct la_code from published.indicator_values").fetchall()}
        # a held-back LA with no earlier publication has no figures
        assert published == {"XGOOD", "XBOM", "XORPH", "XPOPOK", "XHIDE", "XDOT"}
        # the visible sheet was read, not the hidden stale copy: the same referrals as the good LA's
        assert con.execute("""select count(*) from (select period_end, indicator_id, value from published.indicator_values
                              where la_code = 'XHIDE' except select period_end, indicator_id, value
                              from published.indicator_values where la_code = 'XGOOD')""").fetchone()[0] == 0
        # nothing of the linked system file reached the warehouse or the restricted audit file beside it
        with duckdb.connect(str(audit_path_for(warehouse)), read_only=True) as audit:
            assert audit.execute("select count(*) from audit.quarantine where raw_record like '%root:%'").fetchone()[0] == 0
            assert audit.execute("select source_file, row_number, column_name, raw_value, rule from audit.quarantine "
                                 "where la_code = 'XORPH'").fetchall() == [("referrals.csv", 12, "child_id", "C99",
                                                                           "orphan_child")]
        reasons = dict(con.execute("select la_code, reason from published.publications where status = 'held_back'").fetchall())
        assert "is a damaged or truncated xlsx workbook" in reasons["XTRUNC"]
        checks = con.execute("select count(distinct la_code), count(*) from published.data_quality").fetchone()
        assert checks[0] == 13 and checks[1] > 6 * 50
        # child-level values stay in audit: the published checks carry counts, not the examples
        assert con.execute("select count(*) from published.data_quality where details like '%C99%' "
                           "or details like '%examples%'").fetchone()[0] == 0
        orphan = json.loads(con.execute("select details from published.data_quality where la_code = 'XORPH' "
                                        "and entity = 'referrals' and check_name = 'orphan_child:child_id'").fetchone()[0])
        assert orphan["quarantined"] == 1
        run_id = con.execute("select any_value(run_id) from published.publications").fetchone()[0]
    docs = tmp_path / "data_docs" / run_id / "index.html"
    assert docs.exists() and "referrals.rows" in docs.read_text()

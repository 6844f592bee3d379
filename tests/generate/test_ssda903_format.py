"""`pipeline generate --format ssda903`: an LA whose looked-after data comes as the SSDA903 return's
CSVs. One refresh of an inbox holding the same synthetic LA twice, from the same seed: natively
(X99000001) and as SSDA903 (X99000903, the 903 folder with its code changed; the manifest carries the
population, so rates have the same denominator). Both publish, and every figure is the same except
those the 903 cannot carry (pipeline/specs/ssda903.yml `coverage`, docs/statutory_formats.md).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.cli import main
from pipeline.defs import bench
from pipeline.generate import generate_inbox, ssda903
from pipeline.load.adapters import ssda903 as adapter
from pipeline.paths import build_path_for
from pipeline.specs import format_spec

NATIVE, SSDA903 = "X99000001", "X99000903"
SEED, MONTHS = 11, 12
# what the 903 cannot carry: the indicators its coverage marks unsupported (no dated health
# assessments or dental checks; its missing file holds looked-after children only, without return
# interviews), absent for the 903 LA, never published with another value
UNSUPPORTED = {i for coverage in format_spec("ssda903").coverage.values() for i in coverage.unsupported}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ssda903_format")
    inbox = root / "inbox"
    generate_inbox(inbox, n_las=1, months=MONTHS, seed=SEED)
    generate_inbox(root / "as_903", n_las=1, months=MONTHS, seed=SEED, fmt="ssda903")
    folder = shutil.copytree(root / "as_903" / NATIVE, inbox / SSDA903)
    manifest = yaml.safe_load((folder / "manifest.yml").read_text())
    (folder / "manifest.yml").write_text(yaml.safe_dump({**manifest, "la_code": SSDA903}, sort_keys=False))
    return inbox


@pytest.fixture(scope="module")
def warehouse(inbox) -> Path:
    warehouse = inbox.parent / "warehouse.duckdb"
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    return warehouse


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_looked_after_entities_are_the_903_files_and_the_manifest_says_so(inbox):
    folder = inbox / SSDA903
    names = {p.name for p in folder.iterdir()}
    assert not names & {f"{e}.csv" for e in ssda903.CARRIED}  # no native file of what the 903 carries
    # every 903 file the format writes is recognised by the adapter by its header row, as an LA's would be
    assert adapter.detect(sorted(folder.glob("*.csv"))) == ssda903.files(folder)
    assert {p.name for p in ssda903.files(folder)} == set(ssda903.FILES) | {"oc2_2026.csv"}
    assert (folder / "episodes.csv").read_text().splitlines()[1].count("/") >= 2  # DD/MM/YYYY dates
    manifest = yaml.safe_load((folder / "manifest.yml").read_text())
    assert manifest["formats"] == ["ssda903"] and set(manifest["complete_from"]) == {"ssda903"}
    # the other entities are the native files, byte for byte
    native = _digests(inbox / NATIVE)
    assert {n: d for n, d in _digests(folder).items() if n in native and n != "manifest.yml"} == {
        n: d for n, d in native.items() if n in names and n != "manifest.yml"}


def test_same_seed_same_bytes_and_a_run_in_another_format_leaves_no_903_file(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate_inbox(first, n_las=1, months=2, seed=3, fmt="ssda903")
    generate_inbox(second, n_las=1, months=2, seed=3, fmt="ssda903", jobs=2)
    assert _digests(first / NATIVE) == _digests(second / NATIVE)
    generate_inbox(first, n_las=1, months=2, seed=3, fmt="csv")
    assert ssda903.files(first / NATIVE) == [] and not (first / NATIVE / ssda903.PREV_PERM).exists()
    assert "formats" not in yaml.safe_load((first / NATIVE / "manifest.yml").read_text())


def test_defects_are_refused_with_the_903_format(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--las", "1", "--months", "1", "--format", "ssda903",
                 "--defects", "0.01"]) == 2
    assert "--format ssda903 takes no --defects" in capsys.readouterr().err


def test_bench_times_the_903_path_and_says_so(tmp_path):
    lines = []
    timings = bench.run("demo", 1, 2, 7, 1, tmp_path / "work", keep=False, with_refresh=False, print_=lines.append,
                        fmt="ssda903")
    assert "SSDA903 path" in lines[1]
    files = bench.entity_files(tmp_path / "work" / "inbox")
    assert {"episodes.csv", "header.csv", "reviews.csv"} <= {p.name for p in files}
    assert "cla_episodes.csv" not in {p.name for p in files}
    assert timings["scan"].rows == sum(len(p.read_text().splitlines()) - 1 for p in files) > 0


def test_the_903_la_publishes_with_nothing_held_back_or_quarantined(warehouse):
    assert query(warehouse, "select la_code, status from published.publications order by 1") == [
        (NATIVE, "published"), (SSDA903, "published")]
    sources = dict(query(build_path_for(warehouse), f"select entity, source_file from raw.supplied_entities "
                                                    f"where la_code = '{SSDA903}'"))
    assert sources["cla_episodes"] == "episodes.csv" and sources["cla_oc2"] == "oc2_2026.csv"
    assert sources["adoption"] == "SSDA903 ad1 + placed_for_adoption files"
    assert query(build_path_for(warehouse), "select count(*) from audit.quarantine") == [(0,)]
    # the only issue the 903 adds: its header file is not used beside the native children file
    issues = query(build_path_for(warehouse), "select la_code, rule from audit.dataset_issues")
    rules = {la: {rule for code, rule in issues if code == la} for la in (NATIVE, SSDA903)}
    assert rules[SSDA903] - rules[NATIVE] == {"statutory_overridden"}


def test_the_903_la_publishes_the_native_figures_but_those_it_cannot_carry(warehouse):
    rows = {la: {r[:4]: r[4:] for r in query(warehouse, f"select indicator_id, period_type, period_end, "
                                                        f"dimension || '=' || coalesce(dimension_value, ''), "
                                                        f"numerator, denominator, value from published.indicator_values "
                                                        f"where la_code = '{la}'")}
            for la in (NATIVE, SSDA903)}
    native, from_903 = rows[NATIVE], rows[SSDA903]
    assert {key[0] for key in native} - {key[0] for key in from_903} == UNSUPPORTED
    assert not {key[0] for key in from_903} & UNSUPPORTED
    carried = {key: value for key, value in native.items() if key[0] not in UNSUPPORTED}
    differ = {key: (value, from_903.get(key)) for key, value in carried.items() if from_903.get(key) != value}
    assert differ == {} and from_903.keys() == carried.keys()
    # not vacuous: the looked-after families the 903 supplies are there, with figures
    families = {"CLA_OPEN", "CLA_RATE", "CLA_STARTED", "CLA_STABILITY_LT", "CLA_REVIEW_TIMELY", "CLA_OC2_TEETH",
                "MIS_CLA_EPISODES", "ADO_A10_DAYS", "CL_IN_TOUCH", "CLA_DOL_OPEN", "CLA_UASC"}
    assert families <= {key[0] for key, (_, _, value) in from_903.items() if value}

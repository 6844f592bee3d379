"""seeds/la_settings.csv against pipeline/specs/la_settings.yml (practice.md section 3): every broken
rule is named with file, row, column, value and rule, and a refresh with a broken seed stops with
exit 2 before anything is built."""

import shutil

import pytest

import pipeline.state as state
from pipeline.cli import main
from pipeline.paths import SEEDS_DIR
from pipeline.specs import ReferenceDataError, check_la_settings, settings_spec
from pipeline.specs.settings import seed_problems
from tests.inbox_builder import write_la

HEADER = "la_code,setting,value,valid_from,source\n"
# one * row for every setting, as shipped values
STARRED = "".join(f"*,{name},{s.default},,spec default\n" for name, s in settings_spec().settings.items())


def _seed(tmp_path, text: str):
    path = tmp_path / "la_settings.csv"
    path.write_text(text)
    return path


def test_the_shipped_seed_keeps_the_rules():
    check_la_settings()  # raises on any problem
    assert seed_problems(settings_spec(), SEEDS_DIR / "la_settings.csv") == []


def test_every_broken_rule_names_file_row_column_value_and_rule(tmp_path):
    # rows 2-11: the * rows, but none for eh_plan_wd
    path = _seed(tmp_path, HEADER + STARRED.replace("*,eh_plan_wd,30,,spec default\n", "") + (
        "E06000001,cp_visit_days,5,,typo of a setting\n"           # row 12
        "E06000001,caseload_high,21.5,,not a whole number\n"       # row 13
        "E06000001,caseload_high,100,2023-01-01,above 99\n"        # row 14
        "E06000001,cin_visit_wd,0,,below 1\n"                      # row 15
        "E06000001,oversight_counts_as_supervision,Yes,,not Y/N\n"  # row 16
        "E06000002,cp_visit_wd,12,2023-02-30,no such day\n"        # row 17
        "E06000002,cp_visit_wd,12,2023-04-01,first\n"              # row 18
        "E06000002,cp_visit_wd,14,2023-04-01,same key as row 18\n"  # row 19
        ",cp_visit_wd,12,,no LA\n"))                               # row 20
    where = str(path)
    assert seed_problems(settings_spec(), path) == [
        f"{where} row 12, column setting: 'cp_visit_days' is not a setting of pipeline/specs/la_settings.yml "
        f"({', '.join(settings_spec().settings)}) (rule la_settings_unknown_setting)",
        f"{where} row 13, column value: '21.5' is not a whole number from 1 to 99, as caseload_high must be "
        "(rule la_settings_value)",
        f"{where} row 14, column value: '100' is not a whole number from 1 to 99, as caseload_high must be "
        "(rule la_settings_value)",
        f"{where} row 15, column value: '0' is not a whole number from 1 to 60, as cin_visit_wd must be "
        "(rule la_settings_value)",
        f"{where} row 16, column value: 'Yes' is not Y or N, as oversight_counts_as_supervision must be "
        "(rule la_settings_value)",
        f"{where} row 17, column valid_from: '2023-02-30' is not a date (YYYY-MM-DD) or empty (rule la_settings_valid_from)",
        f"{where} row 19, columns la_code, setting, valid_from: 'E06000002', 'cp_visit_wd', '2023-04-01' repeat row 18: "
        "one value per LA, setting and valid_from (rule la_settings_duplicate)",
        f"{where} row 20, column la_code: '' is empty: an LA code, or * for every LA (rule la_settings_la_code)",
        f"{where}: eh_plan_wd has no * row, the value of every LA without its own (add *,eh_plan_wd,30,,<source>) "
        "(rule la_settings_default_row)",
    ]


def test_the_boundaries_of_a_range_are_allowed(tmp_path):
    path = _seed(tmp_path, HEADER + STARRED + "E1,cp_visit_wd,1,,min\nE1,cp_visit_wd,60,2024-01-01,max\n"
                                              "E1,oversight_counts_as_supervision,Y,,flag\n")
    assert seed_problems(settings_spec(), path) == []


def test_a_wrong_header_is_named(tmp_path):
    path = _seed(tmp_path, "la,setting,value,valid_from,source\n" + STARRED)
    assert seed_problems(settings_spec(), path) == [
        f"{path} row 1: the header is la,setting,value,valid_from,source, not la_code,setting,value,valid_from,source "
        "(rule la_settings_header)"]


def test_a_refresh_with_a_broken_seed_stops_with_exit_2_before_anything_is_built(tmp_path, monkeypatch, capsys):
    seeds = shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    (seeds / "la_settings.csv").write_text((seeds / "la_settings.csv").read_text() + "E06000001,caseload_high,lots,,\n")
    monkeypatch.setattr(state, "SEEDS_DIR", seeds)  # the seeds the refresh is built with
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    write_la(inbox, "X1", {})
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the LA settings seed breaks its rules (pipeline/specs/la_settings.yml):\n")
    assert (f"{seeds / 'la_settings.csv'} row 15, column value: 'lots' is not a whole number from 1 to 99, "
            "as caseload_high must be (rule la_settings_value)") in err
    assert list(tmp_path.glob("warehouse*")) == []  # nothing loaded, built or published


def test_the_settings_seed_is_part_of_each_la_s_reference(tmp_path):
    """A `*` default is part of every LA's reference (state.la_reference; which LAs re-run on a change:
    tests/incremental/test_state.py); a seed that breaks its rules stops the fingerprint itself."""
    seeds = shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    base = state.la_reference(state.reference_fingerprint(seeds=seeds), "E06000045", seeds)
    settings = seeds / "la_settings.csv"
    settings.write_text(settings.read_text().replace("*,caseload_high,20,", "*,caseload_high,22,"))
    assert state.la_reference(state.reference_fingerprint(seeds=seeds), "E06000045", seeds) != base
    settings.write_text(settings.read_text().replace("*,caseload_high,22,", "*,caseload_hi,22,"))
    with pytest.raises(ReferenceDataError, match="'caseload_hi' is not a setting"):
        state.reference_fingerprint(seeds=seeds)

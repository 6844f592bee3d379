"""The dbt unit tests cover the catalogue: every indicator family model and every intermediate model
that derives an indicator's inputs has unit tests, and every indicator of seeds/indicator_catalogue.csv
is among the expected rows of a family's unit test (its definition is pinned by hand-computed
values). Read from the parsed dbt manifest (`make manifest`); the unit tests themselves run in `make test`
(tests/defs/test_refresh.py), not in the refresh's dbt build.
"""

import csv
import json

import pytest

from pipeline.paths import DBT_PROJECT_DIR, PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="module")
def manifest():
    if not MANIFEST.exists():
        pytest.fail(f"{MANIFEST} is missing: run `make manifest`")
    return json.loads(MANIFEST.read_text())


def unit_tests_by_model(manifest) -> dict[str, list[dict]]:
    by_model: dict[str, list[dict]] = {}
    for test in manifest["unit_tests"].values():
        by_model.setdefault(test["model"], []).append(test)
    return by_model


def models_in(manifest, folder: str) -> set[str]:
    return {node["name"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1:2] == [folder]}


def test_every_family_and_derived_intermediate_model_has_unit_tests(manifest):
    tested = unit_tests_by_model(manifest)
    families = {m for m in models_in(manifest, "marts") if m.startswith("fct_")}
    assert {"fct_front_door", "fct_referrals", "fct_assessments", "fct_cp_enquiries", "fct_cp_plans", "fct_cin",
            "fct_cla", "fct_care_leavers"} <= families
    # int_working_days is tested by tests/dbt/test_working_days.py against an independent oracle
    derived = models_in(manifest, "intermediate") - {"int_working_days"}
    untested = sorted(m for m in families | derived | {"scorecard", "indicator_values_shareable"} if m not in tested)
    assert not untested, f"models without dbt unit tests: {untested}"


def test_every_catalogue_indicator_is_pinned_by_a_unit_test(manifest):
    with open(PROJECT_DIR / "seeds" / "indicator_catalogue.csv", newline="") as f:
        catalogue = {row["id"]: row["family"] for row in csv.DictReader(f)}
    pinned: dict[str, set[str]] = {}
    for model, tests in unit_tests_by_model(manifest).items():
        if model.startswith("fct_") and model != "fct_indicator_values":
            for test in tests:
                for row in test["expect"]["rows"] or []:
                    pinned.setdefault(row.get("indicator_id"), set()).add(model)
    missing = sorted(set(catalogue) - set(pinned))
    assert not missing, f"indicators no family unit test expects: {missing}"
    # and each is pinned in its own family's model
    assert all(f"fct_{catalogue[i]}" in pinned[i] for i in catalogue), {
        i: pinned[i] for i in catalogue if f"fct_{catalogue[i]}" not in pinned[i]}

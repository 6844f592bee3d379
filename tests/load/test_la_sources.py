"""raw.la_sources (pipeline/load/record.py): raw_manifests records where each LA's entities come from,
and the raw_<entity> loads read that record, never the inbox: an inbox changed between the two loads
exactly what it held when the manifests were read."""

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.defs.assets.raw import raw_entities, raw_manifests
from pipeline.defs.partitions import range_tags, register_las
from pipeline.paths import build_path_for
from pipeline.defs.refresh import QUIET_DAGSTER
from pipeline.defs.resources import build_resources
from pipeline.state import REFERENCE_TAG, la_reference, reference_fingerprint
from tests.load.adapters.samples import SSDA903, la_folder, require

BASE = Path(__file__).resolve().parents[1] / "bad_inputs" / "base" / "X1"
SSDA903_FILES = [SSDA903 / f for f in ("header.csv", "episodes.csv", "uasc.csv", "oc3.csv")]


@pytest.fixture
def inbox(tmp_path):
    """X1: native files; S1: SSDA903 CSVs only (adapter rows)."""
    require(*SSDA903_FILES)
    inbox = tmp_path / "inbox"
    shutil.copytree(BASE, inbox / "X1")
    la_folder(inbox, "S1", SSDA903_FILES, "2018-03-31")
    return inbox


def _run(inbox, warehouse, assets, **tags) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        register_las(instance, ["S1", "X1"])
        result = dg.materialize([raw_manifests, raw_entities], selection=assets, instance=instance,
                                resources=build_resources(inbox, warehouse), run_config=QUIET_DAGSTER,
                                raise_on_error=False, tags={**range_tags("S1", "X1"), **tags})
    assert result.success


def _outcome(warehouse) -> dict:
    with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
        return {table: con.execute(f"select {cols} from {table} order by all").fetchall() for table, cols in (
            ("raw.supplied_entities", "la_code, entity, source_file, rows_supplied, rows_loaded, rows_quarantined"),
            ("audit.quarantine", "la_code, entity, source_file, row_number, rule, message"),
            ("audit.dataset_issues", "la_code, entity, source_file, rule, severity, message"),
            ("raw.children", "la_code, child_id, _source_file, _source_row"))}


def test_the_loads_read_the_record_not_the_inbox(inbox, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _run(inbox, warehouse, [raw_manifests, raw_entities])
    expected = _outcome(warehouse)
    assert {(la, source) for la, _, source, *_ in expected["raw.supplied_entities"]} >= {
        ("X1", "children.csv"), ("S1", "episodes.csv")}

    _run(inbox, warehouse, [raw_manifests], **{REFERENCE_TAG: "the planned reference"})
    # what a second look at the inbox would see differently: no manifests (neither LA valid, so no
    # SSDA903 rows for S1), a file X1 did not supply, a new LA folder
    for la in ("X1", "S1"):
        (inbox / la / "manifest.yml").unlink()
    (inbox / "X1" / "strategy_discussions.csv").write_text("strategy_id,child_id\nS9,C1\n")
    shutil.copytree(inbox / "X1", inbox / "X2")
    _run(inbox, warehouse, [raw_entities])

    assert _outcome(warehouse) == expected
    with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
        # each LA's la_reference of the planned reference (its settings rows are the `*` defaults)
        assert con.execute("select distinct reference_fingerprint from audit.run_fingerprints").fetchall() == [
            (la_reference("the planned reference", "X1"),)]
        recorded = dict(((la, entity), (file, statutory is not None)) for la, entity, file, statutory in con.execute(
            "select la_code, entity, coalesce(file, source_file), statutory from raw.la_sources").fetchall())
    assert recorded["X1", "children"] == ("children.csv", False)
    assert recorded["S1", "cla_episodes"] == ("episodes.csv", True)
    assert recorded["X1", "strategy_discussions"] == (None, False)  # recorded as not supplied


def test_a_statutory_file_removed_during_the_run_holds_the_la_back(inbox, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    _run(inbox, warehouse, [raw_manifests])
    (inbox / "S1" / "episodes.csv").unlink()
    _run(inbox, warehouse, [raw_entities])
    with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
        # no run tag: raw_manifests computed the reference itself
        assert con.execute("select distinct reference_fingerprint from audit.run_fingerprints").fetchall() == [
            (la_reference(reference_fingerprint(), "S1"),)]
        errors = con.execute("select distinct entity, rule from audit.dataset_issues "
                             "where la_code = 'S1' and severity = 'error' order by all").fetchall()
        assert ("children", "unreadable_file") in errors and ("cla_episodes", "unreadable_file") in errors
        assert con.execute("select count(*) from raw.children where la_code = 'S1'").fetchone() == (0,)
        assert con.execute("select count(*) from raw.children where la_code = 'X1'").fetchone()[0] > 0

"""Column schema and column-level lineage on the dbt assets (pipeline/column_lineage.py, attached by
pipeline/defs/assets/dbt.py): read back from the Definitions' asset graph, as the Dagster UI reads it,
and traced through the assets' metadata from a published column to the raw columns it is computed from.

The lineage is computed by `make manifest` (dbt_project/target/column_lineage.json, keyed by the
manifest's SHA-256); these tests fail, rather than skip, when it is missing or from another manifest."""

import json
import shutil

import dagster as dg
import pytest
from sqlglot import MappingSchema

from pipeline import column_lineage
from pipeline.defs.assets.dbt import warehouse_dbt_assets
from pipeline.defs.definitions import defs

GRAPH = defs.resolve_asset_graph()
DBT_KEYS = sorted(warehouse_dbt_assets.keys, key=lambda k: k.to_user_string())


def metadata(key: dg.AssetKey) -> dict:
    return GRAPH.get(key).metadata


def lineage(key: dg.AssetKey) -> dict[str, list[dg.TableColumnDep]] | None:
    entry = metadata(key).get("dagster/column_lineage")
    return entry.value.deps_by_column if entry else None


def upstream_columns(key: dg.AssetKey, column: str) -> set[tuple[str, str]]:
    """Every (asset, column) the column is computed from, through each asset's own lineage metadata,
    down to the columns of assets that carry none (the raw_<entity> loads, the seeds)."""
    found, todo = set(), [(key, column)]
    while todo:
        key, column = todo.pop()
        for dep in (lineage(key) or {}).get(column, []):
            node = (dep.asset_key.to_user_string(), dep.column_name)
            if node not in found:
                found.add(node)
                todo.append((dep.asset_key, dep.column_name))
    return found


def test_the_lineage_was_computed_from_this_manifest():
    assert column_lineage.load() is not None, (
        f"no column lineage computed from {column_lineage.MANIFEST}: run make manifest")


def test_every_model_and_seed_carries_its_columns_and_every_model_its_lineage():
    manifest = json.loads(column_lineage.MANIFEST.read_text())
    for key in DBT_KEYS:
        node = manifest["nodes"].get(f"model.pipeline.{key.path[-1]}") or manifest["nodes"][f"seed.pipeline.{key.path[-1]}"]
        schema = metadata(key).get("dagster/column_schema")
        assert schema is not None, f"{key.to_user_string()}: no column schema"
        names = [c.name for c in schema.value.columns]
        assert names and all(c.type and c.type != "?" for c in schema.value.columns), key
        # the yml's descriptions are kept
        for column in schema.value.columns:
            described = node["columns"].get(column.name, {}).get("description") or None
            assert column.description == described, (key, column.name)
        if node["resource_type"] == "model":
            deps = lineage(key)
            assert deps is not None and set(deps) == set(names), f"{key.to_user_string()}: lineage per column"
            # each dependency is on a column its parent asset has
            for column, on in deps.items():
                for dep in on:
                    assert dep.asset_key in GRAPH.get(key).parent_keys, (key, column, dep)
                    parent_schema = metadata(dep.asset_key).get("dagster/column_schema")
                    if parent_schema:
                        assert dep.column_name in {c.name for c in parent_schema.value.columns}, (key, column, dep)
        else:
            assert lineage(key) is None


def test_the_raw_tables_carry_their_columns_too():
    """Where the lineage ends: each raw_<entity> asset's columns, as raw.<entity> has them (the contract's,
    then the lineage columns), so the column lineage view shows their types."""
    schema = {c.name: c.type for c in metadata(dg.AssetKey("raw_assessments"))["dagster/column_schema"].value.columns}
    assert schema["start_date"] == schema["authorisation_date"] == "DATE" and schema["_source_row"] == "BIGINT"


def test_staging_columns_come_from_their_raw_table():
    assert {(d.asset_key.to_user_string(), d.column_name) for d in lineage(dg.AssetKey("stg_assessments"))["start_date"]} \
        == {("raw_assessments", "start_date")}
    schema = {c.name: c.type for c in metadata(dg.AssetKey("stg_assessments"))["dagster/column_schema"].value.columns}
    assert schema["start_date"] == "DATE" and schema["child_id"] == "VARCHAR"  # the pseudonym: sha256 hex


def test_assessment_timeliness_traces_to_its_start_and_authorisation_dates():
    """fct_assessments.value holds ASM_45WD (authorised within 45 working days of the start) among its
    indicators: its duration is two correlated lookups of int_working_days, by the two dates."""
    upstream = upstream_columns(dg.AssetKey("fct_assessments"), "value")
    assert {("raw_assessments", "start_date"), ("raw_assessments", "authorisation_date")} <= upstream
    assert ("int_working_days", "working_day_index") in upstream
    # numerator and denominator too; the constant columns trace to nothing
    assert ("raw_assessments", "authorisation_date") in upstream_columns(dg.AssetKey("fct_assessments"), "numerator")
    assert lineage(dg.AssetKey("fct_assessments"))["indicator_id"] == []


def test_published_indicator_value_traces_through_the_marts_to_raw_columns():
    upstream = upstream_columns(dg.AssetKey("indicator_values"), "value")
    assert ("fct_indicator_values", "value") in upstream
    marts = {asset for asset, column in upstream if asset.startswith("fct_") and column == "value"}
    assert marts >= {"fct_assessments", "fct_referrals", "fct_cla", "fct_cp_plans", "fct_workforce"}
    raw = {(asset, column) for asset, column in upstream if asset.startswith("raw_")}
    assert {("raw_assessments", "start_date"), ("raw_assessments", "authorisation_date"),
            ("raw_referrals", "referral_date"), ("raw_cla_episodes", "start_date")} <= raw
    # only columns a raw table has: no lineage columns, no pipeline-made names
    assert not {column for _, column in raw if column.startswith("_")}


def test_a_manifest_parsed_again_meets_no_lineage(tmp_path):
    manifest = tmp_path / "manifest.json"
    shutil.copyfile(column_lineage.MANIFEST, manifest)
    shutil.copyfile(column_lineage.cache_path(), column_lineage.cache_path(manifest))
    assert column_lineage.load(manifest) is not None
    manifest.write_text(manifest.read_text().replace('"generated_at": "', '"generated_at": "x', 1))
    assert column_lineage.load(manifest) is None


def test_lineage_is_never_computed_from_files_changed_since_the_manifest(tmp_path, monkeypatch):
    """dbt compile reads the project's files: if one changed since the parse, build refuses, so the cache
    keyed by that manifest never holds another project's lineage."""
    manifest = tmp_path / "manifest.json"
    shutil.copyfile(column_lineage.MANIFEST, manifest)
    compiled = json.loads(manifest.read_text())
    compiled["nodes"]["model.pipeline.fct_assessments"]["checksum"] = {"name": "sha256", "checksum": "changed"}
    monkeypatch.setattr(column_lineage, "compile_models", lambda manifest, work: compiled)
    with pytest.raises(RuntimeError, match="model.pipeline.fct_assessments"):
        column_lineage.build(manifest)
    assert not column_lineage.cache_path(manifest).exists()


SCHEMA = MappingSchema({"days": {"day": "date", "i": "int"}, "a": {"id": "int", "start_date": "date",
                                                                   "end_date": "date", "kind": "text"}},
                       dialect="duckdb")
PARENTS = {"days": "days", "a": "a"}


@pytest.mark.parametrize(("sql", "expected"), [
    # a correlated scalar subquery: its value and its lookup keys in the outer query
    ("select (select d.i from days d where d.day = a.end_date) - (select d.i from days d where d.day = a.start_date)"
     " as duration from a", {("days", "i"), ("a", "end_date"), ("a", "start_date")}),
    # through a CTE, a star and a union; WHERE and GROUP BY columns only filter
    ("with x as (select *, end_date - start_date as n from a where kind = 'k') "
     "select id, sum(n) as duration from x group by id union all select id, 0 from a", {("a", "end_date"), ("a", "start_date")}),
    ("select count(*) filter (where kind = 'k') as duration from a", {("a", "kind")}),
])
def test_trace_follows_values_not_filters(sql, expected):
    traced = column_lineage.trace(sql, SCHEMA, PARENTS)
    assert {tuple(d) for d in traced["duration"]} == expected


UI_QUERY = """
query ($assetKeys: [AssetKeyInput!]!) {
  assetNodes(loadMaterializations: true, assetKeys: $assetKeys) {
    assetKey { path }
    metadataEntries {
      __typename
      label
      ... on TableSchemaMetadataEntry { schema { columns { name type } } }
      ... on TableColumnLineageMetadataEntry {
        lineage { columnName columnDeps { assetKey { path } columnName } }
      }
    }
  }
}
"""


def test_the_webserver_serves_the_lineage_as_the_ui_reads_it(tmp_path):
    """The code location as `make ui` loads it (workspace.yaml, a code server of its own), queried with the
    fields of the UI's column lineage query (AssetColumnLineage: the definition's metadata entries)."""
    from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

    from pipeline.paths import PROJECT_DIR

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance, \
            define_out_of_process_context(str(PROJECT_DIR / "workspace.yaml"), None, instance) as context:
        result = execute_dagster_graphql(context, UI_QUERY, {"assetKeys": [{"path": ["fct_assessments"]}]})
    assert not result.errors, result.errors
    (node,) = result.data["assetNodes"]
    entries = {e["label"]: e for e in node["metadataEntries"]}
    assert entries["dagster/column_schema"]["__typename"] == "TableSchemaMetadataEntry"
    assert {"name": "value", "type": "DOUBLE"} in entries["dagster/column_schema"]["schema"]["columns"]
    lineage = {c["columnName"]: c["columnDeps"] for c in entries["dagster/column_lineage"]["lineage"]}
    assert {"assetKey": {"path": ["stg_assessments"]}, "columnName": "authorisation_date"} in lineage["value"]

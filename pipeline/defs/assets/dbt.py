"""Every dbt seed, model and test as Dagster assets and asset checks, through one translator.

Each model's and seed's asset carries its column schema (`dagster/column_schema`: every column, its
DuckDB type and the yml description) and each model's its column-level lineage
(`dagster/column_lineage`: for each column, the columns of its parent assets it is computed from),
as definition metadata, which the Dagster UI's column lineage view reads when a materialisation has
none. Both come from pipeline/column_lineage.py, computed once from the prebuilt manifest by
`make manifest`, never during a refresh; a manifest parsed again without it loads without them (a
warning says so), and tests/defs/test_column_lineage.py fails.
"""

import logging
from collections.abc import Mapping
from typing import Any

import dagster as dg

from pipeline import column_lineage
from pipeline.defs.dbt_integration import (
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets, get_asset_key_for_model,
)
from pipeline.defs.resources import RefreshSettings, dbt_project
from pipeline.runtime.dbt_build import prepared_build

# {unique_id: {"columns": ..., "lineage": ...}} computed from this manifest, or None
COLUMNS = column_lineage.load(dbt_project.manifest_path)
if COLUMNS is None:
    logging.getLogger(__name__).warning(
        "no column lineage computed from %s: the dbt assets load without column schemas and lineage "
        "(make manifest computes them)", dbt_project.manifest_path)


class WarehouseTranslator(DagsterDbtTranslator):
    """Keys are the model names (stg_/int_/fct_ say the layer); groups follow the dbt folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed"):
            return dg.AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)  # sources: meta.dagster.asset_key -> raw_<entity>

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        columns = (COLUMNS or {}).get(unique_id)
        if columns is None:
            return spec
        return spec.merge_attributes(metadata=self.column_metadata(manifest, unique_id, columns))

    def column_metadata(self, manifest: Mapping[str, Any], unique_id: str, columns: Mapping[str, Any]) -> dict:
        """dagster/column_schema and (models) dagster/column_lineage of one node, from pipeline/column_lineage.py."""
        described = self.get_resource_props(manifest, unique_id).get("columns", {})
        schema = dg.TableSchema(columns=[  # the yml's descriptions and tags, as dagster-dbt gives them
            dg.TableColumn(name, data_type, description=described.get(name, {}).get("description") or None,
                           tags={tag: "" for tag in described.get(name, {}).get("tags", [])})
            for name, data_type in columns["columns"].items()])
        metadata = {"dagster/column_schema": dg.MetadataValue.table_schema(schema)}
        if "lineage" in columns:
            keys = {}  # parent unique_id -> its asset key (a source: raw_<entity>)

            def key(parent: str) -> dg.AssetKey:
                if parent not in keys:
                    keys[parent] = self.get_asset_key(self.get_resource_props(manifest, parent))
                return keys[parent]

            lineage = dg.TableColumnLineage(deps_by_column={
                column: [dg.TableColumnDep(asset_key=key(parent), column_name=name) for parent, name in deps]
                for column, deps in columns["lineage"].items()})
            metadata["dagster/column_lineage"] = dg.MetadataValue.column_lineage(lineage)
        return metadata


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator)
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: RefreshSettings):
    with prepared_build(settings.build_db, settings.warehouse, settings.engine, settings.duckdb_memory_limit,
                        settings.dbt_log) as build:
        yield from dbt.cli(build.args, context=context, target_path=build.target_path).stream()


# the gated indicators: the blocking check is on them (pipeline/defs/checks/), publish depends on them
INDICATORS_KEY = get_asset_key_for_model([warehouse_dbt_assets], "fct_indicator_values")

"""Every dbt seed, model and test as Dagster assets and asset checks, through one translator."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets, get_asset_key_for_model,
)

from pipeline.defs.resources import RefreshSettings, dbt_project
from pipeline.runtime.dbt_build import prepared_build


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


translator = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator)
def warehouse_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: RefreshSettings):
    with prepared_build(settings.build_db, settings.warehouse, settings.engine, settings.duckdb_memory_limit,
                        settings.dbt_log) as build:
        yield from dbt.cli(build.args, context=context, target_path=build.target_path).stream()


# the gated indicators: the blocking check is on them (pipeline/defs/checks/), publish depends on them
INDICATORS_KEY = get_asset_key_for_model([warehouse_dbt_assets], "fct_indicator_values")

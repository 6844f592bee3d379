"""dagster-dbt, imported without dbt-core: the code location takes it from here (pipeline/runtime/dbt_build.py
imports it after the dbt assets' module has).

dagster-dbt runs dbt as a subprocess (pipeline-dbt) and needs dbt-core's Python package only to
evaluate selection strings (this project selects every node, which it reads from the manifest) and to
build an in-process adapter (skipped: resources.WarehouseDbt). Imported while `dbt.version` cannot be,
it takes its no-dbt-core path (as beside dbt Fusion) and spares every definitions load dbt-core's
imports, over a second of one core; dbt itself, in its own process, imports them as before.
"""

import sys

if "dagster_dbt" not in sys.modules:
    _before = sys.modules.get("dbt.version")
    sys.modules["dbt.version"] = None  # `from dbt.version import ...` raises ImportError
    try:
        import dagster_dbt  # noqa: F401
    finally:
        if _before is None:
            del sys.modules["dbt.version"]
        else:
            sys.modules["dbt.version"] = _before

from dagster_dbt import (  # noqa: E402
    DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject,
    dbt_assets, get_asset_key_for_model,
)

__all__ = ["DagsterDbtTranslator", "DagsterDbtTranslatorSettings", "DbtCliResource",
           "DbtProject", "dbt_assets", "get_asset_key_for_model"]

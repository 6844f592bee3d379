"""The Dagster code location: assets, checks, jobs, schedules, sensors, partitions, resources and
`definitions.py`, over the library (every other folder of pipeline/), which never imports it."""

import sys

# dagster-dbt runs dbt as a subprocess (pipeline-dbt) and needs dbt-core's Python package only to
# evaluate selection strings (this project selects every node, read from the manifest) and to build an
# in-process adapter (skipped: pipeline/defs/resources.py WarehouseDbt). Imported while `dbt.version`
# cannot be, it takes its no-dbt-core path (as beside dbt Fusion) and spares every definitions load
# dbt-core's imports, over a second of one core; dbt itself imports it as before.
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

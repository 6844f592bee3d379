"""The blocking gate on the built indicators: a failure here stops publish for every LA.

Row and dataset problems hold single LAs back (pipeline.quality.gate); a broken invariant in the
indicators themselves (a percent over 100, numerator over denominator) means the build is wrong,
so nothing new is published and the previous publication stays.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model
from dagster_duckdb import DuckDBResource

from pipeline.assets.dbt import warehouse_dbt_assets
from pipeline.resources import RefreshSettings

INDICATORS_KEY = get_asset_key_for_model([warehouse_dbt_assets], "fct_indicator_values")

INDICATOR_FRAME_SQL = """
select v.*, c.unit
from marts.fct_indicator_values v
left join seeds.indicator_catalogue c on c.id = v.indicator_id
"""


@dg.asset_check(asset=INDICATORS_KEY, blocking=True, description="expectations/indicator_values.json on the built indicators")
def indicator_values_suite(build_db: DuckDBResource, settings: RefreshSettings) -> dg.AssetCheckResult:
    from pipeline.quality.gx_runner import load_suite, run_suite

    with build_db.get_connection() as con:
        frame = con.execute(INDICATOR_FRAME_SQL).df()
    outcome = run_suite(load_suite("indicator_values", settings.expectations), frame)
    failing = [o for o in outcome.outcomes if not o.success]
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR if not outcome.success else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": len(frame),
            "failures": [
                {"expectation": o.expectation, "column": o.column, "severity": o.severity,
                 "unexpected": o.unexpected_count, "examples": o.examples}
                for o in failing
            ],
        },
    )

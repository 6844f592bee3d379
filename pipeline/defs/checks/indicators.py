"""The gate on the built indicators: expectations/indicator_values.json on marts.fct_indicator_values.

Row and dataset problems of an extract hold single LAs back (pipeline.quality.gate). Here:
- an error confined to some LAs (a percent over 100 in one LA's figures, a missing month) holds
  those LAs back, like a dataset-level failure: the check reports WARN and the others publish;
- an error in every LA, or in the table as a whole, means the build itself is wrong: the check
  fails with ERROR and, being blocking, stops publish; the previous publication stays;
- warnings (a month-on-month jump beyond indicator_change_factor) are only reported.
Every outcome is recorded per LA in audit.data_quality (entity indicator_values).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipeline.defs.assets.dbt import INDICATORS_KEY
from pipeline.quality.gate import CheckRow, data_docs_dir, la_failures, record_checks
from pipeline.quality.suites import (
    INDICATOR_CHECK, INDICATOR_KEY, INDICATOR_SUITE_NAME, MIN_VOLUME_BASE, frame_suite, parameters, with_parameters,
)
from pipeline.defs.resources import RefreshSettings
from pipeline.specs import entities

# care.md A, "annual snapshot": an indicator needing an entity with a year_ending column (cla_oc2) is
# reported only for the months whose end is a year_ending of the LA's rows; other months are not missing
ANNUAL_ENTITIES = [name for name, entity in entities().items() if "year_ending" in entity.column_map]
ANNUAL_MONTHS = " union all ".join(
    f"select la_code, '{name}' as entity, year_ending as period_end from raw.{name}" for name in ANNUAL_ENTITIES
) or "select null::varchar as la_code, null::varchar as entity, null::date as period_end where false"

# The built values with the catalogue unit, plus helper columns (suites.INDICATOR_HELPERS) and one
# row (_kind 'missing') per reported period with no value for an indicator the build produces,
# whose entities the LA supplied. Indicators the build does not produce at all are the dbt
# project's concern (catalogue tests), not a missing month. Unordered: only the few rows sent to GX are
# sorted (_suspect_frame), not the whole table.
INDICATOR_FRAME_SQL = f"""
with built as (
    select v.*, c.unit from marts.fct_indicator_values v left join seeds.indicator_catalogue c on c.id = v.indicator_id),
needs as (
    select c.id as indicator_id, trim(n.entity) as entity
    from seeds.indicator_catalogue c, unnest(string_split(c.needs, ';')) as n(entity)
    where c.id in (select indicator_id from built)),
available as (
    select m.la_code, needs.indicator_id
    from raw.manifests m cross join needs
    left join raw.supplied_entities s on s.la_code = m.la_code and s.entity = needs.entity
    group by all having bool_and(s.entity is not null)),
annual_months as ({ANNUAL_MONTHS}),
period_types as (select distinct indicator_id, period_type from built),
expected as (
    select a.la_code, a.indicator_id, p.period_type, p.period_start, p.period_end
    from available a join period_types t using (indicator_id)
    join intermediate.int_periods p on p.la_code = a.la_code and p.period_type = t.period_type),
missing as (
    select e.*, 'all' as dimension, 'all' as dimension_value, c.unit, 'missing' as _kind
    from expected e join seeds.indicator_catalogue c on c.id = e.indicator_id
    where not exists (select 1 from built b where b.la_code = e.la_code and b.indicator_id = e.indicator_id
                      and b.period_type = e.period_type and b.period_end = e.period_end and b.dimension = 'all')
      -- a period a statutory-format source cannot support is absent on purpose (docs/statutory_formats.md)
      and not exists (select 1 from intermediate.int_uncovered_periods u where u.la_code = e.la_code
                      and u.indicator_id = e.indicator_id and u.period_type = e.period_type
                      and u.period_end = e.period_end and u.dimension is null)
      -- an annual snapshot's other months have no row on purpose
      and not exists (select 1 from needs n where n.indicator_id = e.indicator_id
                      and n.entity in ({", ".join(f"'{n}'" for n in ANNUAL_ENTITIES) or "NULL"})
                      and not exists (select 1 from annual_months a where a.la_code = e.la_code
                                      and a.entity = n.entity and a.period_end = e.period_end))),
monthly as (
    select *, lag(value) over w as previous_value, lag(coalesce(numerator, value)) over w as previous_base,
           lag(period_end) over w as previous_end
    from built where period_type = 'month' and dimension = 'all'
    window w as (partition by la_code, indicator_id order by period_end))
select b.*, 'value' as _kind,
       case when m.previous_end = b.period_start - 1 and m.previous_base >= {MIN_VOLUME_BASE}
            and m.previous_value > 0 then b.value / m.previous_value end as _month_ratio
from built b left join monthly m using (la_code, indicator_id, period_type, period_end, dimension, dimension_value)
union all by name
select * from missing
"""
INDEX_COLUMNS = [*INDICATOR_KEY[:4], "dimension_value", "value", "_month_ratio"]


@dg.asset_check(asset=INDICATORS_KEY, blocking=True, description="expectations/indicator_values.json on the built indicators")
def indicator_values_suite(context: dg.AssetCheckExecutionContext, build_db: DuckDBResource,
                           settings: RefreshSettings) -> dg.AssetCheckResult:
    from pipeline.runtime.gx_process import build_data_docs, run_suite
    from pipeline.quality.gx_runner import load_suite

    run_id = context.run.run_id
    docs = data_docs_dir(settings, run_id)
    suite = frame_suite(load_suite(INDICATOR_SUITE_NAME, settings.expectations), "values")
    values = parameters(settings)
    with build_db.get_connection() as con:
        sizes, frame = _suspect_frame(con, suite, values)
        outcome = run_suite(suite, frame, data_docs_dir=docs, parameters=values,
                            index_columns=INDEX_COLUMNS, run_name=INDICATOR_SUITE_NAME)
        index = build_data_docs(docs)
        las = sorted(sizes)
        rows = [_check_row(o, la, sizes[la]) for o in outcome.outcomes for la in las]
        record_checks(con, INDICATOR_SUITE_NAME, rows, run_id)
    failing = [r for r in rows if not r.passed]
    held = sorted({r.la_code for r in failing if r.severity == "error"})
    whole_table = any(not o.success and o.severity == "error" and o.unexpected_rows is None for o in outcome.outcomes)
    build_wrong = whole_table or (held and held == las) or (not las and not outcome.success)
    return dg.AssetCheckResult(
        passed=not failing and outcome.success,
        severity=dg.AssetCheckSeverity.ERROR if build_wrong else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": sum(sizes.values()),
            "las_held_back": held,
            "data_docs": str(index),
            "failures": [{"expectation": o.expectation, "rule": o.rule, "column": o.column, "severity": o.severity,
                          "unexpected": o.unexpected_count, "examples": o.example_rows or o.examples,
                          **({"exception": o.exception} if o.exception else {})}
                         for o in outcome.outcomes if not o.success],
        },
    )


def _suspect_frame(con, suite: dict, values: dict) -> tuple[dict[str, int], "pd.DataFrame"]:  # noqa: F821
    """The rows of INDICATOR_FRAME_SQL per LA, and the frame GX validates: only the rows some
    expectation of the suite could find unexpected (frames.suspect_condition, with the parameters'
    values), as the entity gates do. The rest pass every rule by construction, so GX finds the same as
    on every row, while what leaves DuckDB (bounded by its memory limit) follows the rows that break a
    rule, not the LAs in the run: the whole table of 300 small LAs took 5.7 GB in two processes."""
    from pipeline.quality.frames import suspect_condition  # pandas: imported by a run, not by the definitions

    # an expectation suspect_condition does not know (a row count, a mean) makes every row suspect
    suspect = " or ".join(f"({suspect_condition(with_parameters(e, values))})" for e in suite["expectations"]) or "false"
    con.execute(f"create or replace temp table loaded as {INDICATOR_FRAME_SQL}")
    try:
        sizes = dict(con.execute("select la_code, count(*) from loaded group by la_code").fetchall())
        frame = con.execute(f"select * from loaded where {suspect} "
                            "order by la_code, indicator_id, period_type, period_end, dimension, dimension_value").df()
    finally:
        con.execute("drop table if exists loaded")
    return sizes, frame


def _check_row(o, la: str, frame_rows: int) -> CheckRow:
    failed, failures = la_failures(o, la, frame_rows)
    passed = not failures and not o.exception
    name = f"{o.rule}:{o.column}" if o.column and o.rule not in ("missing_month", "month_jump") else o.rule
    details = {"expectation": o.expectation, "suite": f"expectations/{INDICATOR_SUITE_NAME}.json"}
    if not passed:
        examples = [f for f in failures if f][:5]
        details.update(examples=examples, message=o.exception or (
            f"{o.rule}: {failed} of {frame_rows} indicator rows, e.g. "
            + "; ".join(" ".join(str(v) for k, v in e.items() if k not in ("_month_ratio",)) +
                        (f" (x{e['_month_ratio']:.2f} on the month before)" if e.get("_month_ratio") else "")
                        for e in examples[:3])))
    return CheckRow(la, name, o.severity, frame_rows, failed, passed, details, INDICATOR_CHECK)

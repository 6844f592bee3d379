{#
  Snapshots (indicators.md, "kind: snapshot"): measured as at the last day M1 of each reported
  month, period type month only.
#}

{#
  open_at_month_end(spells): one row per month M1 of int_periods and spell open at M1, i.e.
  start_date <= M1 and (end_date null or end_date > M1), so a spell ending on M1 is closed at M1
  and one starting on M1 is open. Columns: la_code, period_start, period_end (= M1), then every
  column of the spell except la_code.

  spells: a relation or CTE with la_code, start_date, end_date.
#}
{% macro open_at_month_end(spells) -%}
select
    periods.la_code,
    periods.period_start,
    periods.period_end,
    {{ star_except('spells', ['la_code']) }}
from {{ ref('int_periods') }} as periods
inner join {{ spells }} as spells
    on spells.la_code = periods.la_code
    and spells.start_date <= periods.period_end
    and (spells.end_date is null or spells.end_date > periods.period_end)
where periods.period_type = 'month'
{%- endmacro %}

{#
  snapshot_indicator(members, ...): one indicator row per LA x month of int_periods counting
  children, so a month with nobody is a row too.

  members: a relation or CTE with la_code, period_end (M1) and child_id, exactly one row per child
  in the snapshot (a child with two open spells must be made one row first, e.g. int_cla_month_end
  or `select distinct` over open_at_month_end), plus whatever columns the expressions use, plus
  dimension_value for a breakdown. Rows are counted, not distinct child_ids: at national scale a
  distinct count over millions of hashed IDs costs ten times the rest of the family.
    unit 'count'   -> value = children in members (0 when none); numerator and denominator null.
    unit 'percent' -> denominator = children where `denominator` is true (default: all),
                      numerator = children where `numerator` is true (null counts as false),
                      value = 100 * numerator / denominator, null when the denominator is 0.
                      As in flow_indicator, the numerator expression includes the denominator's
                      condition when the numerator must be a subset.
  dimension / dimension_values: as in flow_indicator.
#}
{% macro snapshot_indicator(members, indicator_id, unit='count', numerator='is_numerator', denominator='true',
                            dimension='all', dimension_values=none) -%}
    {%- set by_dimension = dimension != 'all' -%}
select
    {{ indicator_key_columns("snapshot_indicator", indicator_id, unit, dimension, dimension_values) }}
    {%- if unit == 'count' %}
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
    {%- else %}
    count(members.child_id) filter (where coalesce({{ numerator }}, false)) as numerator,
    count(members.child_id) filter (where coalesce({{ denominator }}, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce({{ numerator }}, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce({{ denominator }}, false)), 0) as value
    {%- endif %}
from (
    select int_periods.*{{ ", dimension_values.dimension_value" if by_dimension }}
    from {{ ref('int_periods') }} as int_periods
    {%- if by_dimension %}
    cross join (select distinct dimension_value from {{ dimension_values }}) as dimension_values
    {%- endif %}
    where int_periods.period_type = 'month'
) as periods
left join {{ members }} as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
    {%- if by_dimension %}
    and members.dimension_value = periods.dimension_value
    {%- endif %}
group by all
{%- endmacro %}

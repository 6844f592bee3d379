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
  dimension / dimension_values: as in flow_indicator, or dimension_values='present': the values
  present in members at that date (e.g. teams), so a value gets a row only in the months it occurs.
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
from ({{ snapshot_cells(members, dimension, dimension_values) }}) as periods
left join {{ members }} as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
    {%- if by_dimension %}
    and members.dimension_value = periods.dimension_value
    {%- endif %}
group by all
{%- endmacro %}

{#
  The cells of a snapshot: every month M1 of int_periods (period_type month), times every value of
  dimension_values for a breakdown, or times the values present in members at that M1 when
  dimension_values = 'present'.
#}
{% macro snapshot_cells(members, dimension, dimension_values) -%}
    select int_periods.*{{ ", dimension_values.dimension_value" if dimension != 'all' }}
    from {{ ref('int_periods') }} as int_periods
    {%- if dimension != 'all' and dimension_values == 'present' %}
    inner join (select distinct la_code, period_end, dimension_value from {{ members }} as present) as dimension_values
        on dimension_values.la_code = int_periods.la_code
        and dimension_values.period_end = int_periods.period_end
    {%- elif dimension != 'all' %}
    cross join (select distinct dimension_value from {{ dimension_values }}) as dimension_values
    {%- endif %}
    where int_periods.period_type = 'month'
{%- endmacro %}

{#
  staff_snapshot_indicator(members, ...): one indicator row per LA x month of int_periods over
  workers or posts (practice.md sections 4 and 1.4), so a month with none is a row too.

  members: a relation or CTE with la_code, period_end (M1), one row per worker or post, plus the
  columns the expressions use, plus dimension_value for a breakdown.
    numerator   = sum of numerator_sum over the members where numerator_where is true,
    denominator = sum of denominator_sum over the members where denominator_where is true,
    value       = scale * numerator / denominator, null when the denominator is 0:
                  unit 'percent' scale 100; unit 'average' scale 1 (children per worker), or 100
                  where the denominator is in hundredths (centi-FTE).
  numerator_members / denominator_members count the members each side rests on. A cell whose
  denominator rests on fewer than 3 members (a team of one or two, or no snapshot at all) has
  numerator, denominator and value null (section 1.4: it would disclose a person's caseload or
  contract); the member counts stay for the shareable table's small-number rule and are never
  published (fct_indicator_values keeps the common columns only).
  dimension / dimension_values: as in snapshot_indicator.
#}
{% macro staff_snapshot_indicator(members, indicator_id, unit, numerator_sum, denominator_sum,
                                  numerator_where='true', denominator_where='true', scale=none,
                                  dimension='all', dimension_values=none) -%}
    {%- set scale = scale or (100 if unit == 'percent' else 1) -%}
    {%- set numerator_members = "count(members.period_end) filter (where coalesce(" ~ numerator_where ~ ", false))" -%}
    {%- set denominator_members = "count(members.period_end) filter (where coalesce(" ~ denominator_where ~ ", false))" -%}
    {%- set numerator = "coalesce(sum(" ~ numerator_sum ~ ") filter (where coalesce(" ~ numerator_where ~ ", false)), 0)" -%}
    {%- set denominator = "coalesce(sum(" ~ denominator_sum ~ ") filter (where coalesce(" ~ denominator_where ~ ", false)), 0)" -%}
    {%- set shown = denominator_members ~ " >= 3" -%}
select
    {{ indicator_key_columns("staff_snapshot_indicator", indicator_id, unit, dimension, dimension_values,
                             units=('percent', 'average')) }}
    cast(case when {{ shown }} then {{ numerator }} end as bigint) as numerator,
    cast(case when {{ shown }} then {{ denominator }} end as bigint) as denominator,
    case when {{ shown }} then cast({{ scale }} * {{ numerator }} as double) / nullif({{ denominator }}, 0) end as value,
    {{ numerator_members }} as numerator_members,
    {{ denominator_members }} as denominator_members
from ({{ snapshot_cells(members, dimension, dimension_values) }}) as periods
left join {{ members }} as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
    {%- if dimension != 'all' %}
    and members.dimension_value = periods.dimension_value
    {%- endif %}
group by all
{%- endmacro %}

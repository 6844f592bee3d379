{#
  A snapshot count (indicators.md, "kind: snapshot"): distinct children with a spell open at the
  month's last day M1, i.e. start_date <= M1 and (end_date null or end_date > M1), so a spell
  ending on M1 is closed at M1. Month periods only; a month with nobody open is a row with 0.

  spells: a relation or CTE with la_code, child_id, start_date, end_date.
#}
{% macro snapshot_count(spells, indicator_id) -%}
select
    periods.la_code,
    '{{ indicator_id }}' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(distinct spells.child_id) as double) as value
from {{ ref('int_periods') }} as periods
left join {{ spells }} as spells
    on spells.la_code = periods.la_code
    and spells.start_date <= periods.period_end
    and (spells.end_date is null or spells.end_date > periods.period_end)
where periods.period_type = 'month'
group by periods.la_code, periods.period_type, periods.period_start, periods.period_end
{%- endmacro %}

{#
  A flow indicator (indicators.md, "kind: flow"): events whose event_date falls in the period,
  for every period of int_periods (month, fytd, r12m), so a period without events is a row too.

  events: a relation or CTE with la_code, event_date (date) and, for unit 'percent', is_numerator
  (boolean; null counts as false).
    unit 'count'   -> numerator and denominator null, value = number of events (0 when none).
    unit 'percent' -> denominator = events, numerator = events with is_numerator,
                      value = 100 * numerator / denominator, null when the denominator is 0.
  Longer periods count their own events, so an fytd/r12m percent is sum(num) / sum(den) of its
  months, never an average of monthly percents.
#}
{% macro flow_indicator(events, indicator_id, unit='count') -%}
    {%- if unit not in ('count', 'percent') -%}
        {{ exceptions.raise_compiler_error("flow_indicator " ~ indicator_id ~ ": unit must be count or percent, got " ~ unit) }}
    {%- endif -%}
select
    periods.la_code,
    '{{ indicator_id }}' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    {%- if unit == 'count' %}
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(events.event_date) as double) as value
    {%- else %}
    count(events.event_date) filter (where events.is_numerator) as numerator,
    count(events.event_date) as denominator,
    100.0 * count(events.event_date) filter (where events.is_numerator)
        / nullif(count(events.event_date), 0) as value
    {%- endif %}
from {{ ref('int_periods') }} as periods
left join {{ events }} as events
    on events.la_code = periods.la_code
    and events.event_date between periods.period_start and periods.period_end
group by periods.la_code, periods.period_type, periods.period_start, periods.period_end
{%- endmacro %}

{#
  A flow indicator (indicators.md, "kind: flow"): events whose event_date falls in the period,
  for every period of int_periods (month, fytd, r12m), so a period without events is a row too.

  events: a relation or CTE with la_code and event_date (a date), plus whatever columns the
  numerator / denominator expressions use, plus dimension_value for a breakdown.
    unit 'count'   -> numerator and denominator null, value = number of events (0 when none).
    unit 'percent' -> denominator = events where `denominator` is true (default: all),
                      numerator = events where `numerator` is true (null counts as false),
                      value = 100 * numerator / denominator, null when the denominator is 0.
                      The two are counted independently: when the numerator must be a subset
                      of the denominator, the numerator expression says so.
    unit 'days'    -> (care.md A) the cohort is the events where `denominator` is true (default: all),
                      numerator = the sum over the cohort of `numerator`, here an expression of whole
                      days, denominator = the cohort size, value = numerator / denominator, null for
                      an empty cohort; fytd and r12m add up both, a cohort-weighted mean.
  dimension: 'all', or the name of a breakdown; then events carry dimension_value and
  dimension_values (a relation with one column dimension_value, e.g. a code list) gives the
  values that get a row in every period, zeros included.

  Events are first counted per LA and calendar month, and every period is a run of whole months,
  so each period adds up its months: an fytd/r12m percent is sum(numerator) / sum(denominator),
  never an average of monthly percents, and the join stays small at national scale.
#}
{% macro flow_indicator(events, indicator_id, unit='count', numerator='is_numerator', denominator='true',
                        dimension='all', dimension_values=none) -%}
    {%- set by_dimension = dimension != 'all' -%}
select
    {{ indicator_key_columns("flow_indicator", indicator_id, unit, dimension, dimension_values,
                             units=('count', 'percent', 'days')) }}
    {%- if unit == 'count' %}
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
    {%- else %}
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast({{ "100 * " if unit == 'percent' }}coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
    {%- endif %}
from (
    select int_periods.*{{ ", dimension_values.dimension_value" if by_dimension }}
    from {{ ref('int_periods') }} as int_periods
    {%- if by_dimension %}
    cross join (select distinct dimension_value from {{ dimension_values }}) as dimension_values
    {%- endif %}
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        {{ "dimension_value," if by_dimension }}
        count(*) as events,
        {%- if unit == 'days' %}
        sum({{ numerator }}) filter (where coalesce({{ denominator }}, false)) as numerator,
        {%- else %}
        count(*) filter (where coalesce({{ numerator if unit == 'percent' else 'false' }}, false)) as numerator,
        {%- endif %}
        count(*) filter (where coalesce({{ denominator }}, false)) as denominator
    from {{ events }}
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
    {%- if by_dimension %}
    and monthly.dimension_value = periods.dimension_value
    {%- endif %}
group by all
{%- endmacro %}

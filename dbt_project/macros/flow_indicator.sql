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
    unit 'days'    -> a mean duration (care.md A): denominator = events where `denominator` is true,
                      numerator = the sum of `days` (whole days each event measures) over them,
                      value = numerator / denominator, null when the denominator is 0.
    unit 'weeks'   -> the same, value = numerator / denominator / 7.
  dimension: 'all', or the name of a breakdown; then events carry dimension_value and
  dimension_values (a relation with one column dimension_value, e.g. a code list) gives the
  values that get a row in every period, zeros included.

  Events are first counted per LA and calendar month, and every period is a run of whole months,
  so each period adds up its months: an fytd/r12m percent is sum(numerator) / sum(denominator),
  never an average of monthly percents (a days or weeks mean over a longer period is cohort-weighted,
  never a mean of monthly means), and the join stays small at national scale.
#}
{% macro flow_indicator(events, indicator_id, unit='count', numerator='is_numerator', denominator='true',
                        dimension='all', dimension_values=none, days=none) -%}
    {%- set by_dimension = dimension != 'all' -%}
    {%- set is_mean = unit in ('days', 'weeks') -%}
    {%- if is_mean and days is none -%}
        {{ exceptions.raise_compiler_error("flow_indicator " ~ indicator_id ~ ": unit " ~ unit ~ " needs days") }}
    {%- endif -%}
select
    {{ indicator_key_columns("flow_indicator", indicator_id, unit, dimension, dimension_values,
                             units=('count', 'percent', 'days', 'weeks')) }}
    {%- if unit == 'count' %}
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
    {%- elif is_mean %}
    cast(coalesce(sum(monthly.days), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(coalesce(sum(monthly.days), 0) as double) / nullif(sum(monthly.denominator), 0)
        {{- " / 7" if unit == 'weeks' }} as value
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
        count(*) filter (where coalesce({{ numerator if unit == 'percent' else 'false' }}, false)) as numerator,
        count(*) filter (where coalesce({{ denominator }}, false)) as denominator
        {%- if is_mean %},
        sum({{ days }}) filter (where coalesce({{ denominator }}, false)) as days
        {%- endif %}
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


{#
  A flow that counts distinct children (care.md A): a child counts once in the whole period, so each
  fytd or r12m value is counted over that period's events, never summed from its months. Unit count;
  value = children with at least min_events events whose event_date falls in the period (0 when none).

  events: a relation or CTE with la_code, child_id and event_date.
#}
{% macro flow_children_indicator(events, indicator_id, min_events=1) -%}
select
    {{ indicator_key_columns("flow_children_indicator", indicator_id, 'count', 'all', none) }}
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(children.child_id) as double) as value
from {{ ref('int_periods') }} as periods
left join (
    select int_periods.la_code, int_periods.period_type, int_periods.period_end, events.child_id
    from {{ ref('int_periods') }} as int_periods
    inner join {{ events }} as events
        on events.la_code = int_periods.la_code
        and events.event_date between int_periods.period_start and int_periods.period_end
    group by int_periods.la_code, int_periods.period_type, int_periods.period_end, events.child_id
    having count(*) >= {{ min_events }}
) as children
    on children.la_code = periods.la_code
    and children.period_type = periods.period_type
    and children.period_end = periods.period_end
group by all
{%- endmacro %}

{#
  The scorecard (warehouse.md, "scorecard"; indicators.md, "Around the figures") built from a
  relation of indicator rows shaped like published.indicator_values: one row per LA x indicator
  x reported month, dimension 'all', with

  - value, numerator, denominator of the month; previous_month_value; same_month_last_year_value;
    fytd_value and r12m_value (flow indicators only: snapshots have month periods only);
  - target and amber_tolerance from seeds/targets.csv (a row for the LA wins over la_code '*'),
    and rag: green = meets the target in the direction of the polarity, amber = misses it by no
    more than the tolerance, red = otherwise; null with no target, no value, or neutral polarity.
    RAG is judged on the month's value;
  - direction_vs_previous_month / direction_vs_last_year: improving / worsening / no change /
    not comparable (either value missing), judged by polarity; a neutral indicator has no better
    direction, so it gets increased / decreased / no change / not comparable;
  - benchmark_<comparator> (england, statistical_neighbours, region) with its _period and _source
    from seeds/benchmarks.csv: per comparator the row with the latest period_label (labels are
    financial years 'YYYY/YY', which sort as text), a row for the LA winning over la_code '*' in
    the same period. The same benchmark stands beside every month. Benchmarks of flow rates per
    10,000 are a year's rate: compare them with r12m_value.

  Values are compared as displayed, rounded to 1 decimal place, so 94.96% against a 95% target is
  green and a move from 50.02% to 49.98% is no change.
#}
{% macro scorecard(indicator_values) -%}
with monthly as (
    select la_code, indicator_id, period_start, period_end, numerator, denominator, value
    from {{ indicator_values }}
    where period_type = 'month' and dimension = 'all'
),

longer_periods as (
    select
        la_code,
        indicator_id,
        period_end,
        any_value(value) filter (where period_type = 'fytd') as fytd_value,
        any_value(value) filter (where period_type = 'r12m') as r12m_value
    from {{ indicator_values }}
    where period_type in ('fytd', 'r12m') and dimension = 'all'
    group by la_code, indicator_id, period_end
),

las as (
    select distinct la_code from monthly
),

targets as (
    select las.la_code, target_rows.indicator_id, target_rows.target, target_rows.amber_tolerance
    from las
    inner join {{ ref('targets') }} as target_rows
        on target_rows.la_code in (las.la_code, '*')
    qualify row_number() over (
        partition by las.la_code, target_rows.indicator_id order by target_rows.la_code = '*'
    ) = 1
),

latest_benchmarks as (
    select las.la_code, benchmark_rows.indicator_id, benchmark_rows.comparator, benchmark_rows.period_label,
        benchmark_rows.value, benchmark_rows.source
    from las
    inner join {{ ref('benchmarks') }} as benchmark_rows
        on benchmark_rows.la_code in (las.la_code, '*')
    qualify row_number() over (
        partition by las.la_code, benchmark_rows.indicator_id, benchmark_rows.comparator
        order by benchmark_rows.period_label desc, benchmark_rows.la_code = '*'
    ) = 1
),

benchmarks as (
    select
        la_code,
        indicator_id,
        {%- for comparator in ['england', 'statistical_neighbours', 'region'] %}
        any_value(value) filter (where comparator = '{{ comparator }}') as benchmark_{{ comparator }},
        any_value(period_label) filter (where comparator = '{{ comparator }}') as benchmark_{{ comparator }}_period,
        any_value(source) filter (where comparator = '{{ comparator }}') as benchmark_{{ comparator }}_source
        {{- "," if not loop.last }}
        {%- endfor %}
    from latest_benchmarks
    group by la_code, indicator_id
),

compared as (
    select
        monthly.*,
        catalogue.polarity,
        previous_month.value as previous_month_value,
        last_year.value as same_month_last_year_value,
        longer_periods.fytd_value,
        longer_periods.r12m_value,
        targets.target,
        targets.amber_tolerance,
        {{ star_except('benchmarks', ['la_code', 'indicator_id']) }}
    from monthly
    inner join {{ ref('indicator_catalogue') }} as catalogue
        on catalogue.id = monthly.indicator_id
    left join monthly as previous_month
        on previous_month.la_code = monthly.la_code
        and previous_month.indicator_id = monthly.indicator_id
        and previous_month.period_end = monthly.period_start - 1
    left join monthly as last_year
        on last_year.la_code = monthly.la_code
        and last_year.indicator_id = monthly.indicator_id
        and last_year.period_end = last_day(monthly.period_start - interval 12 month)
    left join longer_periods
        on longer_periods.la_code = monthly.la_code
        and longer_periods.indicator_id = monthly.indicator_id
        and longer_periods.period_end = monthly.period_end
    left join targets
        on targets.la_code = monthly.la_code
        and targets.indicator_id = monthly.indicator_id
    left join benchmarks
        on benchmarks.la_code = monthly.la_code
        and benchmarks.indicator_id = monthly.indicator_id
)

select
    cast(la_code as string) as la_code,
    cast(indicator_id as string) as indicator_id,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    cast(value as double) as value,
    cast(previous_month_value as double) as previous_month_value,
    cast(same_month_last_year_value as double) as same_month_last_year_value,
    cast(fytd_value as double) as fytd_value,
    cast(r12m_value as double) as r12m_value,
    cast(target as double) as target,
    cast(amber_tolerance as double) as amber_tolerance,
    cast(case
        when polarity = 'neutral' or target is null or value is null then null
        when polarity = 'higher_is_better' then case
            when round(value, 1) >= target then 'green'
            when round(value, 1) >= target - coalesce(amber_tolerance, 0) then 'amber'
            else 'red' end
        when polarity = 'lower_is_better' then case
            when round(value, 1) <= target then 'green'
            when round(value, 1) <= target + coalesce(amber_tolerance, 0) then 'amber'
            else 'red' end
    end as string) as rag,
    cast({{ _direction_of_travel('value', 'previous_month_value', 'polarity') }} as string) as direction_vs_previous_month,
    cast({{ _direction_of_travel('value', 'same_month_last_year_value', 'polarity') }} as string) as direction_vs_last_year,
    {%- for comparator in ['england', 'statistical_neighbours', 'region'] %}
    cast(benchmark_{{ comparator }} as double) as benchmark_{{ comparator }},
    cast(benchmark_{{ comparator }}_period as string) as benchmark_{{ comparator }}_period,
    cast(benchmark_{{ comparator }}_source as string) as benchmark_{{ comparator }}_source
    {{- "," if not loop.last }}
    {%- endfor %}
from compared
{%- endmacro %}

{% macro _direction_of_travel(current, earlier, polarity) -%}
    case
        when {{ current }} is null or {{ earlier }} is null then 'not comparable'
        when round({{ current }}, 1) = round({{ earlier }}, 1) then 'no change'
        when {{ polarity }} = 'neutral' then
            case when round({{ current }}, 1) > round({{ earlier }}, 1) then 'increased' else 'decreased' end
        when (round({{ current }}, 1) > round({{ earlier }}, 1)) = ({{ polarity }} = 'higher_is_better') then 'improving'
        else 'worsening'
    end
{%- endmacro %}

{#
  A rate per 10,000 children aged 0-17 (indicators.md, "Rates per 10,000"), built from the rows
  of a count indicator: numerator = the count, denominator = the population for the period
  (int_period_population), value = count / population x 10,000, not annualised.
  No population row -> denominator and value null; a population of 0 -> value null (never a
  division by zero).

  counts: a relation or CTE of indicator rows (flow_indicator or snapshot_count, unit count).
#}
{% macro rate_per_10k(counts, indicator_id) -%}
select
    counts.la_code,
    '{{ indicator_id }}' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from {{ counts }} as counts
left join {{ ref('int_period_population') }} as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
{%- endmacro %}

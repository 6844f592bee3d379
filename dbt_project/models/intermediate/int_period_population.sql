-- Children aged 0-17 for each LA x reported period end M1 (indicators.md, "Population"): the
-- value for the calendar year of M1, else the latest earlier year. No such year -> null, so the
-- rates of that period are unavailable rather than divided by zero.
with period_ends as (
    select distinct la_code, period_end
    from {{ ref('int_periods') }}
)

select
    period_ends.la_code,
    period_ends.period_end,
    max_by(population.population_0_17, population.year) as population_0_17,
    max(population.year) as population_year
from period_ends
left join {{ ref('stg_population') }} as population
    on population.la_code = period_ends.la_code
    and population.year <= year(period_ends.period_end)
group by period_ends.la_code, period_ends.period_end

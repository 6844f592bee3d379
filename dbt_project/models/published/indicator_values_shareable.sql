-- published.indicator_values_shareable (indicators.md, "Small numbers"): indicator_values for
-- sharing outside the LA. A row is suppressed when any count it is built on is from 1 to
-- var('small_number_max') (4): a plain count of 1-4, a percent whose numerator or denominator is
-- 1-4, a rate whose count is 1-4. A suppressed row keeps its key, has null numerator, denominator
-- and value, and suppressed = true, so it reads as "withheld", not "not computable". Zeros are
-- not suppressed. Secondary suppression in breakdowns: a breakdown (e.g. CP plans by category)
-- with exactly one withheld cell would give it away as the total minus the other cells, so its
-- smallest other non-zero cell is withheld too. (Differences between periods, e.g. FYTD minus
-- the months, are not protected.)
{%- set small = var('small_number_max') %}
with flagged as (
    select
        indicator_values.*,
        case
            when catalogue.unit = 'count' then indicator_values.value between 1 and {{ small }}
            else coalesce(indicator_values.numerator between 1 and {{ small }}, false)
                or coalesce(indicator_values.denominator between 1 and {{ small }}, false)
        end as is_small
    from {{ ref('fct_indicator_values') }} as indicator_values
    inner join {{ ref('indicator_catalogue') }} as catalogue
        on catalogue.id = indicator_values.indicator_id
),

breakdowns_with_one_withheld as (
    select la_code, indicator_id, period_type, period_end, dimension
    from flagged
    where dimension <> 'all'
    group by all
    having count(*) filter (where is_small) = 1
),

secondary as (
    select flagged.la_code, flagged.indicator_id, flagged.period_type, flagged.period_end, flagged.dimension,
           flagged.dimension_value
    from flagged
    inner join breakdowns_with_one_withheld using (la_code, indicator_id, period_type, period_end, dimension)
    where not flagged.is_small and flagged.value > 0
    qualify row_number() over (
        partition by flagged.la_code, flagged.indicator_id, flagged.period_type, flagged.period_end, flagged.dimension
        order by flagged.value, flagged.dimension_value) = 1
),

withheld as (
    select
        {{ star_except('flagged', ['is_small']) }},
        coalesce(flagged.is_small, false) or secondary.dimension_value is not null as is_withheld
    from flagged
    left join secondary using (la_code, indicator_id, period_type, period_end, dimension, dimension_value)
)

select
    cast(la_code as string) as la_code,
    cast(indicator_id as string) as indicator_id,
    cast(period_type as string) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(dimension as string) as dimension,
    cast(dimension_value as string) as dimension_value,
    cast(case when is_withheld then null else numerator end as bigint) as numerator,
    cast(case when is_withheld then null else denominator end as bigint) as denominator,
    cast(case when is_withheld then null else value end as double) as value,
    is_withheld as suppressed
from withheld

-- published.indicator_values_shareable (indicators.md, "Small numbers"): indicator_values for
-- sharing outside the LA. A row is suppressed when any count it is built on is from 1 to
-- var('small_number_max') (4): a plain count of 1-4, a percent whose numerator or denominator is
-- 1-4, a rate whose count is 1-4. A suppressed row keeps its key, has null numerator, denominator
-- and value, and suppressed = true, so it reads as "withheld", not "not computable". Zeros are
-- not suppressed. (No secondary suppression: a breakdown cell may still be derived from the
-- total and the other cells.)
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
)

select
    cast(la_code as varchar) as la_code,
    cast(indicator_id as varchar) as indicator_id,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(dimension as varchar) as dimension,
    cast(dimension_value as varchar) as dimension_value,
    cast(case when is_small then null else numerator end as bigint) as numerator,
    cast(case when is_small then null else denominator end as bigint) as denominator,
    cast(case when is_small then null else value end as double) as value,
    coalesce(is_small, false) as suppressed
from flagged

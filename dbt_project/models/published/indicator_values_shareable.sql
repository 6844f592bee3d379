-- published.indicator_values_shareable (indicators.md, "Small numbers"): indicator_values for
-- sharing outside the LA, under the disclosure control of docs/disclosure-control.md:
--   1. primary suppression: a row built on any count from 0 to var('small_number_max') (4) - a
--      count of 0-4, a percent whose numerator or denominator is 0-4, a rate whose count is 0-4, a
--      days or weeks mean resting on 0-4 children or with 0-4 days in all -
--      has null numerator, denominator and value and suppressed = true ("withheld", not "not
--      computable"). Zeros are withheld too: were they shown, a withheld count would be known to
--      be at least 1, and a withheld total of 4 over four withheld parts would pin every part to 1.
--      A worker-based cell (fct_workforce's staff cells) is also withheld when its numerator or
--      denominator rests on 0-4 workers or posts (practice.md 1.4: counting workers or posts, not
--      the centi-FTE its numerator and denominator may hold).
--   2. secondary suppression: a total whose every part is withheld, when its shown value could pin them (below).
--   3. rounding: every other count is rounded to the nearest var('rounding_base') (5): count
--      values, percent, average, days and weeks numerators and denominators, rate numerators;
--      percents, rates, averages and means are recomputed from the rounded figures (a rate's
--      denominator, the public ONS population, stays; an average keeps its scale, WF_CASELOAD_FTE's
--      per FTE over centi-FTE; a weeks mean is days / 7).
-- Together they close differencing: a withheld month is not the financial year to date minus the
-- other months, nor a withheld breakdown cell the total minus the other cells, because each shown
-- count is only known to within +-2 and each withheld one to 0-4 (tests/dbt/test_disclosure_control.py).
-- Portable SQL (DuckDB and Spark): CTEs, standard functions, `string` casts.
{%- set small = var('small_number_max') %}
{%- set base = var('rounding_base') %}
{#- units whose numerator and denominator are both counts an attacker could narrow: each is withheld at 0-4
    and rounded -#}
{%- set ratio_units = "('percent', 'average', 'days', 'weeks')" %}
with flagged as (
    select
        indicator_values.la_code,
        indicator_values.indicator_id,
        indicator_values.period_type,
        indicator_values.period_start,
        indicator_values.period_end,
        indicator_values.dimension,
        indicator_values.dimension_value,
        indicator_values.numerator,
        indicator_values.denominator,
        indicator_values.value,
        catalogue.unit,
        -- the term withholding bounds to 0-4 (secondary suppression below): a count, a percent's or
        -- rate's numerator; not an average's or mean's terms, nor a staff cell's (centi-FTE)
        case
            when catalogue.unit = 'count' then indicator_values.value
            when catalogue.unit in ('percent', 'rate_per_10k') and staff.numerator_members is null
                then indicator_values.numerator
        end as bounded_term,
        case
            when catalogue.unit = 'count' then indicator_values.value between 0 and {{ small }}
            else coalesce(indicator_values.numerator between 0 and {{ small }}, false)
                or coalesce(staff.numerator_members between 0 and {{ small }}, false)
                or (catalogue.unit in {{ ratio_units }}
                    and (coalesce(indicator_values.denominator between 0 and {{ small }}, false)
                         or coalesce(staff.denominator_members between 0 and {{ small }}, false)))
        end as is_small
    from {{ ref('fct_indicator_values') }} as indicator_values
    inner join {{ ref('indicator_catalogue') }} as catalogue
        on catalogue.id = indicator_values.indicator_id
    left join {{ ref('fct_workforce') }} as staff
        on staff.la_code = indicator_values.la_code
        and staff.indicator_id = indicator_values.indicator_id
        and staff.period_type = indicator_values.period_type
        and staff.period_end = indicator_values.period_end
        and staff.dimension = indicator_values.dimension
        and staff.dimension_value = indicator_values.dimension_value
),

-- 2. secondary suppression: a total every part of which is withheld is withheld too when its shown
--    value could pin them (macros/disclosure.sql): two withheld months of 4 make a financial year to
--    date of 8, shown as 10, known to be 8-12, so each month is 4. Totals and parts as the attacker sees them
--    (tests/dbt/test_disclosure_control.py): a month's `all` row and the cells of each breakdown;
--    a fytd or r12m row and its months; a fytd or r12m `all` row and its cells. In that order, so a
--    total withheld at one step counts as a withheld part at the next.
month_totals as (
    {{ withheld_totals('flagged', "total.period_type = 'month'", 'cells') }}
),

month_flagged as (
    {{ withhold_totals('flagged', 'month_totals') }}
),

period_totals as (
    {{ withheld_totals('month_flagged', "total.period_type in ('fytd', 'r12m')", 'months') }}
),

period_flagged as (
    {{ withhold_totals('month_flagged', 'period_totals') }}
),

period_all_totals as (
    {{ withheld_totals('period_flagged', "total.period_type in ('fytd', 'r12m')", 'cells') }}
),

suppressed as (
    {{ withhold_totals('period_flagged', 'period_all_totals') }}
),

rounded as (
    select
        flagged.*,
        cast(round(flagged.numerator / {{ base }}.0) * {{ base }} as bigint) as rounded_numerator,
        case
            when flagged.unit in {{ ratio_units }}
                then cast(round(flagged.denominator / {{ base }}.0) * {{ base }} as bigint)
            else flagged.denominator
        end as rounded_denominator,
        round(flagged.value / {{ base }}.0) * {{ base }} as rounded_count
    from suppressed as flagged
),

shown as (
    select
        rounded.*,
        case
            when rounded.unit = 'count' then rounded.rounded_count
            when rounded.unit = 'percent'
                then 100.0 * rounded.rounded_numerator / nullif(rounded.rounded_denominator, 0)
            when rounded.unit = 'rate_per_10k' and rounded.value is not null
                then 10000.0 * rounded.rounded_numerator / nullif(rounded.rounded_denominator, 0)
            -- an average's scale (1, or 100 over centi-FTE) is the internal value x denominator / numerator
            when rounded.unit = 'average' and rounded.numerator = 0 then 0.0
            when rounded.unit = 'average'
                then round(rounded.value * rounded.denominator / rounded.numerator)
                    * rounded.rounded_numerator / nullif(rounded.rounded_denominator, 0)
            -- days and weeks (care.md A): means over the cohort, in double precision on both engines
            -- (Spark would divide decimals to a few places)
            when rounded.unit = 'days'
                then cast(rounded.rounded_numerator as double) / nullif(rounded.rounded_denominator, 0)
            when rounded.unit = 'weeks'
                then cast(rounded.rounded_numerator as double) / 7 / nullif(rounded.rounded_denominator, 0)
        end as rounded_value
    from rounded
)

select
    cast(la_code as string) as la_code,
    cast(indicator_id as string) as indicator_id,
    cast(period_type as string) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(dimension as string) as dimension,
    cast(dimension_value as string) as dimension_value,
    cast(case when is_small then null else rounded_numerator end as bigint) as numerator,
    cast(case when is_small then null else rounded_denominator end as bigint) as denominator,
    cast(case when is_small then null else rounded_value end as double) as value,
    coalesce(is_small, false) as suppressed
from shown

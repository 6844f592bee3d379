-- Children looked after family (indicators.md, "Children looked after"): CLA_OPEN (also by
-- placement_type), CLA_RATE, CLA_STARTED, CLA_CEASED, CLA_3PLUS_PLACEMENTS, CLA_STABILITY_LT,
-- CLA_UASC.
with looked_after as (
    -- children looked after at M1 (an episode ending on M1 is no longer open), int_cla_month_end
    select
        *,
        placement_type as dimension_value,
        not is_short_break as is_stability_cohort,
        not is_short_break
            and age < 16
            and period_of_care_start <= cast(period_end - interval 30 month as date) as is_long_term_cohort,
        placement_start <= cast(period_end - interval 24 month as date) as is_placement_2y
    from intermediate.int_cla_month_end
),

episodes as (
    select la_code, start_date, end_date, reason_new_episode, reason_episode_ceased
    from staging.stg_cla_episodes
),

started as (
    select la_code, start_date as event_date from episodes where reason_new_episode = 'S'
),

ceased as (
    -- X1: the episode ends but the child stays looked after
    select la_code, end_date as event_date
    from episodes
    where end_date is not null and reason_episode_ceased is not null and reason_episode_ceased <> 'X1'
),

uasc as (
    select * from looked_after where is_uasc
),

cla_open as (
    select
    periods.la_code,
    'CLA_OPEN' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join looked_after as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cla_open_by_placement_type as (
    select
    periods.la_code,
    'CLA_OPEN' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'placement_type' as dimension,
    periods.dimension_value as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
from (
    select int_periods.*, dimension_values.dimension_value
    from intermediate.int_periods as int_periods
    cross join (select distinct dimension_value from (select code as dimension_value from seeds.code_lists where list_name = 'placement_type')) as dimension_values
    where int_periods.period_type = 'month'
) as periods
left join looked_after as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
    and members.dimension_value = periods.dimension_value
group by all
),

cla_rate as (
    select
    counts.la_code,
    'CLA_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from cla_open as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

cla_started as (
    select
    periods.la_code,
    'CLA_STARTED' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(false, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from started
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cla_ceased as (
    select
    periods.la_code,
    'CLA_CEASED' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(false, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from ceased
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cla_3plus_placements as (
    -- of children looked after (not on short breaks), those with 3+ placements in the 12 months to M1
    select
    periods.la_code,
    'CLA_3PLUS_PLACEMENTS' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_stability_cohort and placements_in_12_months >= 3, false)) as numerator,
    count(members.child_id) filter (where coalesce(is_stability_cohort, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_stability_cohort and placements_in_12_months >= 3, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(is_stability_cohort, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join looked_after as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cla_stability_lt as (
    -- of children under 16 looked after for 2.5 years or more (not on short breaks), those in
    -- their current placement for 2 years or more
    select
    periods.la_code,
    'CLA_STABILITY_LT' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_long_term_cohort and is_placement_2y, false)) as numerator,
    count(members.child_id) filter (where coalesce(is_long_term_cohort, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_long_term_cohort and is_placement_2y, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(is_long_term_cohort, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join looked_after as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cla_uasc as (
    select
    periods.la_code,
    'CLA_UASC' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join uasc as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
)

select * from cla_open
union all
select * from cla_open_by_placement_type
union all
select * from cla_rate
union all
select * from cla_started
union all
select * from cla_ceased
union all
select * from cla_3plus_placements
union all
select * from cla_stability_lt
union all
select * from cla_uasc
-- Child protection enquiries family (indicators.md, "Child protection enquiries"): STR_COUNT,
-- STR_TO_S47, S47_STARTED, S47_RATE, ICPC_HELD, ICPC_RATE, S47_TO_ICPC, ICPC_15WD.
with strategy_discussions as (
    select la_code, discussion_date as event_date, s47_agreed = 'Y' as is_s47_agreed
    from staging.stg_strategy_discussions
),

s47_starts as (
    select la_code, start_date as event_date
    from staging.stg_s47_enquiries
),

icpcs as (
    -- an enquiry's ICPC counts in the period of icpc_date. An ICPC dated before its enquiry's
    -- start (a warning in the extract contract) is held but has no timeliness.
    select
        la_code,
        icpc_date as event_date,
        icpc_date >= start_date as has_timeliness,
        icpc_date >= start_date and ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(icpc_date as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(start_date as date))) <= 15 as is_within_15wd
    from staging.stg_s47_enquiries
    where icpc_date is not null
),

s47_and_icpcs as (
    -- ChAT C4.18 style ratio of two counts in the same period: ICPCs held / enquiries started,
    -- so the ICPCs need not come from the enquiries started in the period (it can exceed 100)
    select la_code, event_date, true as is_s47_start, false as is_icpc from s47_starts
    union all
    select la_code, event_date, false as is_s47_start, true as is_icpc from icpcs
),

str_count as (
    select
    periods.la_code,
    'STR_COUNT' as indicator_id,
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
    from strategy_discussions
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

str_to_s47 as (
    select
    periods.la_code,
    'STR_TO_S47' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(100 * coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(is_s47_agreed, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from strategy_discussions
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

s47_started as (
    select
    periods.la_code,
    'S47_STARTED' as indicator_id,
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
    from s47_starts
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

s47_rate as (
    select
    counts.la_code,
    'S47_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from s47_started as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

icpc_held as (
    select
    periods.la_code,
    'ICPC_HELD' as indicator_id,
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
    from icpcs
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

icpc_rate as (
    select
    counts.la_code,
    'ICPC_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from icpc_held as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

s47_to_icpc as (
    select
    periods.la_code,
    'S47_TO_ICPC' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(100 * coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(is_icpc, false)) as numerator,
        count(*) filter (where coalesce(is_s47_start, false)) as denominator
    from s47_and_icpcs
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

icpc_15wd as (
    -- of ICPCs held in the period on or after their enquiry's start, those within 15 working days
    select
    periods.la_code,
    'ICPC_15WD' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(100 * coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(is_within_15wd, false)) as numerator,
        count(*) filter (where coalesce(has_timeliness, false)) as denominator
    from icpcs
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
)

select * from str_count
union all
select * from str_to_s47
union all
select * from s47_started
union all
select * from s47_rate
union all
select * from icpc_held
union all
select * from icpc_rate
union all
select * from s47_to_icpc
union all
select * from icpc_15wd
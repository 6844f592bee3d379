-- Assessments family (indicators.md, "Assessments"): ASM_COMPLETED, ASM_RATE, ASM_45WD, ASM_SEEN_5WD.
with completed as (
    -- an assessment counts in the period of its authorisation_date; ongoing ones (null) never do
    select
        la_code,
        authorisation_date as event_date,
        ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(authorisation_date as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(start_date as date))) <= 45 as is_within_45wd,
        -- seen on or after the start (a date before it is not a visit for this assessment)
        child_seen_date >= start_date
            and ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(child_seen_date as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(start_date as date))) <= 5 as is_seen_within_5wd
    from staging.stg_assessments
    where authorisation_date is not null
),

asm_completed as (
    select
    periods.la_code,
    'ASM_COMPLETED' as indicator_id,
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
    from completed
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

asm_rate as (
    select
    counts.la_code,
    'ASM_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from asm_completed as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

asm_45wd as (
    -- of ASM_COMPLETED, those with wd(start_date, authorisation_date) <= 45
    select
    periods.la_code,
    'ASM_45WD' as indicator_id,
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
        count(*) filter (where coalesce(is_within_45wd, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from completed
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

asm_seen_5wd as (
    -- of ASM_COMPLETED, those whose child was seen within 5 working days of the start
    select
    periods.la_code,
    'ASM_SEEN_5WD' as indicator_id,
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
        count(*) filter (where coalesce(is_seen_within_5wd, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from completed
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
)

select * from asm_completed
union all
select * from asm_rate
union all
select * from asm_45wd
union all
select * from asm_seen_5wd
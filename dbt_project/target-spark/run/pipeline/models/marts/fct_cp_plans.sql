
  
    
        create table marts.fct_cp_plans
      
      
      
      
      
      
      
      

      as
      -- Child protection plans family (indicators.md, "Child protection plans"): CPP_OPEN (also by
-- latest_category), CPP_RATE, CPP_STARTED (also by initial_category), CPP_ENDED,
-- CPP_REPEAT_EVER, CPP_REPEAT_2Y, CPP_OPEN_2Y, CPP_ENDED_2Y, CPP_REVIEW_TIMELY, CPP_VISIT_10WD.
with plans as (
    select * from intermediate.int_cp_plan_sequence
),

on_plan as (
    -- children on a plan at M1, with their category as the breakdown value
    select
        *,
        current_category as dimension_value,
        earliest_open_start <= cast(period_end - interval 2 year as date) as is_open_2y,
        ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(period_end as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(earliest_open_start as date))) >= 10 as is_visit_due
    from intermediate.int_cp_month_end
),

visited_within_10wd as (
    -- children on a plan with a CP visit on or before M1 and wd(visit_date, M1) <= 10; 10 working
    -- days never span more than 40 calendar days, which keeps the join small
    select distinct on_plan.la_code, on_plan.period_end, on_plan.child_id
    from on_plan
    inner join staging.stg_visits as visits
        on visits.la_code = on_plan.la_code
        and visits.child_id = on_plan.child_id
        and visits.visit_type = 'CP'
        and visits.visit_date <= on_plan.period_end
        and visits.visit_date > on_plan.period_end - interval 40 day
    where ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(on_plan.period_end as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(visits.visit_date as date))) <= 10
),

on_plan_visits as (
    select on_plan.*, visited_within_10wd.child_id is not null as is_visited
    from on_plan
    left join visited_within_10wd
        on visited_within_10wd.la_code = on_plan.la_code
        and visited_within_10wd.period_end = on_plan.period_end
        and visited_within_10wd.child_id = on_plan.child_id
),

starts as (
    select la_code, start_date as event_date, initial_category as dimension_value, is_repeat_ever, is_repeat_within_2y
    from plans
),

ends as (
    select la_code, end_date as event_date, lasted_2y
    from plans
    where end_date is not null
),

reviews as (
    select la_code, review_date as event_date, is_timely
    from intermediate.int_cp_review_schedule
),

cpp_open as (
    -- distinct children with a plan open at M1 (a plan ending on M1 is no longer open)
    select
    periods.la_code,
    'CPP_OPEN' as indicator_id,
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
left join on_plan as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cpp_open_by_category as (
    select
    periods.la_code,
    'CPP_OPEN' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'latest_category' as dimension,
    periods.dimension_value as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
from (
    select int_periods.*, dimension_values.dimension_value
    from intermediate.int_periods as int_periods
    cross join (select distinct dimension_value from (select code as dimension_value from seeds.code_lists where list_name = 'cp_category')) as dimension_values
    where int_periods.period_type = 'month'
) as periods
left join on_plan as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
    and members.dimension_value = periods.dimension_value
group by all
),

cpp_rate as (
    select
    counts.la_code,
    'CPP_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from cpp_open as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

cpp_started as (
    select
    periods.la_code,
    'CPP_STARTED' as indicator_id,
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
    from starts
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_started_by_category as (
    select
    periods.la_code,
    'CPP_STARTED' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'initial_category' as dimension,
    periods.dimension_value as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
from (
    select int_periods.*, dimension_values.dimension_value
    from intermediate.int_periods as int_periods
    cross join (select distinct dimension_value from (select code as dimension_value from seeds.code_lists where list_name = 'cp_category')) as dimension_values
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        dimension_value,
        count(*) as events,
        count(*) filter (where coalesce(false, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from starts
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
    and monthly.dimension_value = periods.dimension_value
group by all
),

cpp_ended as (
    select
    periods.la_code,
    'CPP_ENDED' as indicator_id,
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
    from ends
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_repeat_ever as (
    select
    periods.la_code,
    'CPP_REPEAT_EVER' as indicator_id,
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
        count(*) filter (where coalesce(is_repeat_ever, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from starts
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_repeat_2y as (
    select
    periods.la_code,
    'CPP_REPEAT_2Y' as indicator_id,
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
        count(*) filter (where coalesce(is_repeat_within_2y, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from starts
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_open_2y as (
    -- of CPP_OPEN, children whose (earliest) open plan started on or before M1 - 2 years
    select
    periods.la_code,
    'CPP_OPEN_2Y' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_open_2y, false)) as numerator,
    count(members.child_id) filter (where coalesce(true, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_open_2y, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(true, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join on_plan as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cpp_ended_2y as (
    select
    periods.la_code,
    'CPP_ENDED_2Y' as indicator_id,
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
        count(*) filter (where coalesce(lasted_2y, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from ends
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_review_timely as (
    select
    periods.la_code,
    'CPP_REVIEW_TIMELY' as indicator_id,
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
        count(*) filter (where coalesce(is_timely, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from reviews
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

cpp_visit_10wd as (
    -- of CPP_OPEN children whose plan started at least 10 working days before M1, those visited
    select
    periods.la_code,
    'CPP_VISIT_10WD' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_visit_due and is_visited, false)) as numerator,
    count(members.child_id) filter (where coalesce(is_visit_due, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_visit_due and is_visited, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(is_visit_due, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join on_plan_visits as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
)

select * from cpp_open
union all
select * from cpp_open_by_category
union all
select * from cpp_rate
union all
select * from cpp_started
union all
select * from cpp_started_by_category
union all
select * from cpp_ended
union all
select * from cpp_repeat_ever
union all
select * from cpp_repeat_2y
union all
select * from cpp_open_2y
union all
select * from cpp_ended_2y
union all
select * from cpp_review_timely
union all
select * from cpp_visit_10wd
  
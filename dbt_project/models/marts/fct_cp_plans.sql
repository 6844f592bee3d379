-- Child protection plans family (indicators.md, "Child protection plans"): CPP_OPEN (also by
-- latest_category), CPP_RATE, CPP_STARTED (also by initial_category), CPP_ENDED,
-- CPP_REPEAT_EVER, CPP_REPEAT_2Y, CPP_OPEN_2Y, CPP_ENDED_2Y, CPP_REVIEW_TIMELY, CPP_VISIT_10WD.
with plans as (
    select * from {{ ref('int_cp_plan_sequence') }}
),

on_plan as (
    -- children on a plan at M1, with their category as the breakdown value
    select
        *,
        current_category as dimension_value,
        earliest_open_start <= cast(period_end - interval 2 year as date) as is_open_2y,
        {{ working_days('earliest_open_start', 'period_end') }} >= 10 as is_visit_due
    from {{ ref('int_cp_month_end') }}
),

visited_within_10wd as (
    -- children on a plan with a CP visit on or before M1 and wd(visit_date, M1) <= 10; 10 working
    -- days never span more than 40 calendar days, which keeps the join small
    select distinct on_plan.la_code, on_plan.period_end, on_plan.child_id
    from on_plan
    inner join {{ ref('stg_visits') }} as visits
        on visits.la_code = on_plan.la_code
        and visits.child_id = on_plan.child_id
        and visits.visit_type = 'CP'
        and visits.visit_date <= on_plan.period_end
        and visits.visit_date > on_plan.period_end - interval 40 day
    where {{ working_days('visits.visit_date', 'on_plan.period_end') }} <= 10
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
    from {{ ref('int_cp_review_schedule') }}
),

cpp_open as (
    -- distinct children with a plan open at M1 (a plan ending on M1 is no longer open)
    {{ snapshot_indicator('on_plan', 'CPP_OPEN') }}
),

cpp_open_by_category as (
    {{ snapshot_indicator('on_plan', 'CPP_OPEN', dimension='latest_category', dimension_values=code_list('cp_category')) }}
),

cpp_rate as (
    {{ rate_per_10k('cpp_open', 'CPP_RATE') }}
),

cpp_started as (
    {{ flow_indicator('starts', 'CPP_STARTED', 'count') }}
),

cpp_started_by_category as (
    {{ flow_indicator('starts', 'CPP_STARTED', 'count', dimension='initial_category', dimension_values=code_list('cp_category')) }}
),

cpp_ended as (
    {{ flow_indicator('ends', 'CPP_ENDED', 'count') }}
),

cpp_repeat_ever as (
    {{ flow_indicator('starts', 'CPP_REPEAT_EVER', 'percent', numerator='is_repeat_ever') }}
),

cpp_repeat_2y as (
    {{ flow_indicator('starts', 'CPP_REPEAT_2Y', 'percent', numerator='is_repeat_within_2y') }}
),

cpp_open_2y as (
    -- of CPP_OPEN, children whose (earliest) open plan started on or before M1 - 2 years
    {{ snapshot_indicator('on_plan', 'CPP_OPEN_2Y', 'percent', numerator='is_open_2y') }}
),

cpp_ended_2y as (
    {{ flow_indicator('ends', 'CPP_ENDED_2Y', 'percent', numerator='lasted_2y') }}
),

cpp_review_timely as (
    {{ flow_indicator('reviews', 'CPP_REVIEW_TIMELY', 'percent', numerator='is_timely') }}
),

cpp_visit_10wd as (
    -- of CPP_OPEN children whose plan started at least 10 working days before M1, those visited
    {{ snapshot_indicator('on_plan_visits', 'CPP_VISIT_10WD', 'percent',
                          numerator='is_visit_due and is_visited', denominator='is_visit_due') }}
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

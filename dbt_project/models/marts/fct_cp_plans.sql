-- Child protection plans family (indicators.md, "Child protection plans"): CPP_OPEN (also by
-- latest_category), CPP_RATE, CPP_STARTED (also by initial_category), CPP_ENDED,
-- CPP_REPEAT_EVER, CPP_REPEAT_2Y, CPP_OPEN_2Y, CPP_ENDED_2Y, CPP_REVIEW_TIMELY, CPP_VISIT_10WD;
-- practice.md section 4: CPP_VISIT_TIMELY, CPP_SEEN_ALONE.
with plans as (
    select * from {{ ref('int_cp_plan_sequence') }}
),

on_plan as (
    -- children on a plan at M1, with their category as the breakdown value
    select
        *,
        current_category as dimension_value,
        earliest_open_start <= cast(period_end - interval 2 year as date) as is_open_2y
    from {{ ref('int_cp_month_end') }}
),

on_plan_visits as (
    -- CPP_VISIT_10WD: visited within 10 working days of M1
    {{ visits_in_timescale('on_plan', 'CP', 'earliest_open_start', 10) }}
),

on_plan_due as (
    -- CPP_VISIT_TIMELY: CPP_VISIT_10WD with 10 replaced by N = cp_visit_wd in force at M1
    select on_plan.*, cast(cp_visit_wd.value as integer) as visit_wd
    from on_plan
    {{ join_la_setting('cp_visit_wd', 'on_plan.la_code', 'on_plan.period_end', 'cp_visit_wd') }}
),

on_plan_timely_visits as (
    {{ visits_in_timescale('on_plan_due', 'CP', 'earliest_open_start', 'visit_wd') }}
),

cp_visit_days as (
    -- each child's CP visit days, seen alone on at least one visit that day (null = not seen alone), with the
    -- next visit day: a day is the child's latest visit from itself up to the day before the next one
    select
        la_code,
        child_id,
        visit_date,
        is_seen_alone,
        lead(visit_date) over (partition by la_code, child_id order by visit_date) as next_visit_date
    from (
        select la_code, child_id, visit_date, max(case when seen_alone = 'Y' then 1 else 0 end) = 1 as is_seen_alone
        from {{ ref('stg_visits') }}
        where visit_type = 'CP'
        group by la_code, child_id, visit_date
    ) as days
),

on_plan_latest_visit as (
    -- CPP_SEEN_ALONE: the child's latest CP visit on or before M1, if on or after the open plan's start
    select
        on_plan.*,
        cp_visit_days.visit_date is not null as has_visit_on_plan,
        coalesce(cp_visit_days.is_seen_alone, false) as is_seen_alone
    from on_plan
    left join cp_visit_days
        on cp_visit_days.la_code = on_plan.la_code
        and cp_visit_days.child_id = on_plan.child_id
        and cp_visit_days.visit_date <= on_plan.period_end
        and (cp_visit_days.next_visit_date is null or cp_visit_days.next_visit_date > on_plan.period_end)
        and cp_visit_days.visit_date >= on_plan.earliest_open_start
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
),

cpp_visit_timely as (
    {{ snapshot_indicator('on_plan_timely_visits', 'CPP_VISIT_TIMELY', 'percent',
                          numerator='is_visit_due and is_visited', denominator='is_visit_due') }}
),

cpp_seen_alone as (
    -- of CPP_OPEN children visited since their open plan started, those seen alone at the latest visit
    {{ snapshot_indicator('on_plan_latest_visit', 'CPP_SEEN_ALONE', 'percent',
                          numerator='has_visit_on_plan and is_seen_alone', denominator='has_visit_on_plan') }}
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
union all
select * from cpp_visit_timely
union all
select * from cpp_seen_alone

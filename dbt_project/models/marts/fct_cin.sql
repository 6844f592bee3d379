-- Children in need family (indicators.md, "Children in need"; practice.md section 4): CIN_PLAN_OPEN,
-- CIN_VISIT_TIMELY (also by disability), CIN_REVIEW_TIMELY.
with cin_plans as (
    select la_code, cin_plan_id, child_id, start_date, end_date
    from {{ ref('stg_cin_plans') }}
),

on_cin_plan as (
    -- children with a CIN plan open at M1 (a plan ending on M1 is no longer open), once each, with the
    -- start of their covering plan with the earliest start_date
    select la_code, period_end, child_id, min(start_date) as earliest_open_start
    from ({{ open_at_month_end('cin_plans') }}) as open_plans
    group by la_code, period_end, child_id
),

cin_only as (
    -- the CIN-only cohort at M1: case type CIN, i.e. not on a CP plan and not looked after (short breaks
    -- included) at M1. N = the visit timescale in force at M1, the disabled children's one where disability = Y
    select
        on_cin_plan.la_code,
        on_cin_plan.period_end,
        on_cin_plan.child_id,
        on_cin_plan.earliest_open_start,
        coalesce(children.disability, 'unknown') as dimension_value,
        case when children.disability = 'Y' then cast(cin_disabled_visit_wd.value as integer)
             else cast(cin_visit_wd.value as integer) end as visit_wd
    from on_cin_plan
    left join {{ ref('stg_children') }} as children
        on children.la_code = on_cin_plan.la_code
        and children.child_id = on_cin_plan.child_id
    {{ join_la_setting('cin_visit_wd', 'on_cin_plan.la_code', 'on_cin_plan.period_end', 'cin_visit_wd') }}
    {{ join_la_setting('cin_disabled_visit_wd', 'on_cin_plan.la_code', 'on_cin_plan.period_end', 'cin_disabled_visit_wd') }}
    where not exists (
        select 1 from {{ ref('int_cp_month_end') }} as cp
        where cp.la_code = on_cin_plan.la_code and cp.period_end = on_cin_plan.period_end
            and cp.child_id = on_cin_plan.child_id)
        and not exists (
        select 1 from {{ ref('int_cla_month_end') }} as cla
        where cla.la_code = on_cin_plan.la_code and cla.period_end = on_cin_plan.period_end
            and cla.child_id = on_cin_plan.child_id)
),

cin_only_visits as (
    {{ visits_in_timescale('cin_only', 'CIN', 'earliest_open_start', 'visit_wd') }}
),

plan_reviews as (
    -- distinct (plan, review_date) on or after the plan's start (one before it is a warning, left out),
    -- with the plan's previous such review
    select
        reviews.la_code,
        reviews.review_date,
        plans.start_date as plan_start,
        lag(reviews.review_date) over (partition by reviews.la_code, reviews.cin_plan_id order by reviews.review_date)
            as previous_review_date
    from (select distinct la_code, cin_plan_id, review_date from {{ ref('stg_cin_reviews') }}) as reviews
    inner join cin_plans as plans
        on plans.la_code = reviews.la_code
        and plans.cin_plan_id = reviews.cin_plan_id
    where reviews.review_date >= plans.start_date
),

reviews as (
    -- the first review is due plan start + cin_first_review_months, each later one the previous review +
    -- cin_review_interval_months; both settings in force on the review date
    select
        plan_reviews.la_code,
        plan_reviews.review_date as event_date,
        plan_reviews.review_date <= case
            when plan_reviews.previous_review_date is null
                then {{ add_months('plan_reviews.plan_start', 'cast(first_months.value as integer)') }}
            else {{ add_months('plan_reviews.previous_review_date', 'cast(interval_months.value as integer)') }}
        end as is_timely
    from plan_reviews
    {{ join_la_setting('cin_first_review_months', 'plan_reviews.la_code', 'plan_reviews.review_date', 'first_months') }}
    {{ join_la_setting('cin_review_interval_months', 'plan_reviews.la_code', 'plan_reviews.review_date', 'interval_months') }}
),

cin_plan_open as (
    {{ snapshot_indicator('on_cin_plan', 'CIN_PLAN_OPEN') }}
),

cin_visit_timely as (
    {{ snapshot_indicator('cin_only_visits', 'CIN_VISIT_TIMELY', 'percent',
                          numerator='is_visit_due and is_visited', denominator='is_visit_due') }}
),

cin_visit_timely_by_disability as (
    {{ snapshot_indicator('cin_only_visits', 'CIN_VISIT_TIMELY', 'percent',
                          numerator='is_visit_due and is_visited', denominator='is_visit_due',
                          dimension='disability', dimension_values=disability_values()) }}
),

cin_review_timely as (
    {{ flow_indicator('reviews', 'CIN_REVIEW_TIMELY', 'percent', numerator='is_timely') }}
)

select * from cin_plan_open
union all
select * from cin_visit_timely
union all
select * from cin_visit_timely_by_disability
union all
select * from cin_review_timely

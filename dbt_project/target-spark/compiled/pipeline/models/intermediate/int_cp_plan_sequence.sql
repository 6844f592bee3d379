-- One row per CP plan with where it sits in the child's sequence of plans (indicators.md,
-- "Child protection plans"):
--   is_repeat_ever      previous_plans > 0 (plans before this one, including ones held elsewhere
--                       or before the records begin) or the child has a plan with an earlier start;
--   is_repeat_within_2y the child has a plan with an earlier start whose end_date is not null and
--                       on or after this start_date - 2 years (a plan that ended exactly 2 years
--                       before counts; one still open does not);
--   lasted_2y           end_date >= start_date + 2 years;
--   current_category    latest_category, falling back to initial_category.
-- Plans starting on the same day are not earlier than each other. Both repeat flags come from
-- one window over the child's distinct start dates, so no plan is compared with every other.
with plans as (
    select la_code, cp_plan_id, child_id, start_date, end_date, initial_category, latest_category, previous_plans
    from staging.stg_cp_plans
),

start_days as (
    -- per child and start date: the latest end of the plans starting that day
    select la_code, child_id, start_date, max(end_date) as latest_end_date
    from plans
    group by la_code, child_id, start_date
),

earlier_plans as (
    select
        la_code,
        child_id,
        start_date,
        row_number() over child_starts > 1 as has_earlier_plan,
        max(latest_end_date) over (
            partition by la_code, child_id order by start_date rows between unbounded preceding and 1 preceding
        ) as latest_earlier_end_date
    from start_days
    window child_starts as (partition by la_code, child_id order by start_date)
)

select
    plans.la_code,
    plans.cp_plan_id,
    plans.child_id,
    plans.start_date,
    plans.end_date,
    plans.initial_category,
    plans.latest_category,
    coalesce(plans.latest_category, plans.initial_category) as current_category,
    plans.previous_plans,
    coalesce(plans.previous_plans, 0) > 0 or earlier_plans.has_earlier_plan as is_repeat_ever,
    coalesce(
        earlier_plans.latest_earlier_end_date >= cast(plans.start_date - interval 2 year as date),
        false
    ) as is_repeat_within_2y,
    coalesce(plans.end_date >= cast(plans.start_date + interval 2 year as date), false) as lasted_2y
from plans
inner join earlier_plans
    on earlier_plans.la_code = plans.la_code
    and earlier_plans.child_id = plans.child_id
    and earlier_plans.start_date = plans.start_date
-- Children subject to a CP plan as at the last day M1 of each reported month (indicators.md,
-- CPP_OPEN: start_date <= M1 and end_date null or > M1), one row per LA x M1 x child:
--   earliest_open_start  the start of the child's open plan, the earliest if several are open
--                        (CPP_OPEN_2Y, CPP_VISIT_10WD);
--   current_category     the category of the most recently started open plan (latest_category,
--                        falling back to initial_category), so each child is in one category.
with plans as (
    select la_code, cp_plan_id, child_id, start_date, end_date, current_category
    from intermediate.int_cp_plan_sequence
),

open_plans as (
    select
    periods.la_code,
    periods.period_start,
    periods.period_end,
    spells.* except (la_code)
from intermediate.int_periods as periods
inner join plans as spells
    on spells.la_code = periods.la_code
    and spells.start_date <= periods.period_end
    and (spells.end_date is null or spells.end_date > periods.period_end)
where periods.period_type = 'month'
)

select
    la_code,
    period_end,
    child_id,
    min(start_date) as earliest_open_start,
    max_by(current_category, struct(start_date, cp_plan_id)) as current_category
from open_plans
group by la_code, period_end, child_id
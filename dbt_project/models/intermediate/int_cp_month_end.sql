-- Children subject to a CP plan as at the last day M1 of each reported month (indicators.md,
-- CPP_OPEN: start_date <= M1 and end_date null or > M1), one row per LA x M1 x child:
--   earliest_open_start  the start of the child's open plan, the earliest if several are open
--                        (CPP_OPEN_2Y, CPP_VISIT_10WD);
--   current_category     the category of the most recently started open plan (latest_category,
--                        falling back to initial_category), so each child is in one category.
with plans as (
    select la_code, cp_plan_id, child_id, start_date, end_date, current_category
    from {{ ref('int_cp_plan_sequence') }}
),

open_plans as (
    {{ open_at_month_end('plans') }}
)

select
    la_code,
    period_end,
    child_id,
    min(start_date) as earliest_open_start,
    {{ first_by('current_category', ['start_date', 'cp_plan_id'], descending=true) }} as current_category
from open_plans
group by la_code, period_end, child_id

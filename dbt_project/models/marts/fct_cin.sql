-- Children in need family (indicators.md, "Children in need"): CIN_PLAN_OPEN.
with cin_plans as (
    select la_code, child_id, start_date, end_date
    from {{ ref('stg_cin_plans') }}
),

on_cin_plan as (
    -- children with a CIN plan open at M1 (a plan ending on M1 is no longer open), once each
    select distinct la_code, period_end, child_id
    from ({{ open_at_month_end('cin_plans') }})
),

cin_plan_open as (
    {{ snapshot_indicator('on_cin_plan', 'CIN_PLAN_OPEN') }}
)

select * from cin_plan_open

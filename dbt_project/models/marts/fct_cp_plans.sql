-- Child protection plans family (indicators.md, "Child protection plans"): CPP_OPEN, CPP_RATE.
with plans as (
    select la_code, child_id, start_date, end_date
    from {{ ref('stg_cp_plans') }}
),

cpp_open as (
    -- distinct children with a plan open at M1 (a plan ending on M1 is no longer open)
    {{ snapshot_count('plans', 'CPP_OPEN') }}
),

cpp_rate as (
    {{ rate_per_10k('cpp_open', 'CPP_RATE') }}
)

select * from cpp_open
union all by name
select * from cpp_rate

-- Children looked after family (indicators.md, "Children looked after"): CLA_OPEN.
with episodes as (
    select la_code, child_id, start_date, end_date
    from {{ ref('stg_cla_episodes') }}
),

cla_open as (
    -- distinct children with an episode open at M1 (an episode ending on M1 is no longer open)
    {{ snapshot_count('episodes', 'CLA_OPEN') }}
)

select * from cla_open

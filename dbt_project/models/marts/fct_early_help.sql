-- Early help family (practice.md section 4, "Early help"): snapshots EH_OPEN, EH_RATE, EH_WITH_PLAN;
-- flows EH_STEP_DOWN, EH_PLAN_TIMELY. Which optional columns each needs is the catalogue's `needs`.
with episodes as (
    select la_code, eh_episode_id, child_id, start_date, plan_start_date, end_date, source
    from {{ ref('stg_early_help_episodes') }}
),

open_episodes as (
    -- episodes covering M1 (one ending on M1 no longer does), with the plan timescale in force at M1
    select
        open_at_m1.*,
        {{ working_days('open_at_m1.start_date', 'open_at_m1.period_end') }} > cast(eh_plan_wd.value as integer)
            as is_past_plan_timescale,
        open_at_m1.plan_start_date <= open_at_m1.period_end as has_plan
    from ({{ open_at_month_end('episodes') }}) as open_at_m1
    {{ join_la_setting('eh_plan_wd', 'open_at_m1.la_code', 'open_at_m1.period_end', 'eh_plan_wd') }}
),

open_children as (
    select distinct la_code, period_end, child_id
    from open_episodes
),

step_downs as (
    -- an episode counts in the period of its start; a null source is not counted
    select la_code, start_date as event_date
    from episodes
    where source = 'STEP_DOWN'
),

plans as (
    -- a plan counts in the period it was agreed, judged by eh_plan_wd in force that day
    select
        episodes.la_code,
        episodes.plan_start_date as event_date,
        {{ working_days('episodes.start_date', 'episodes.plan_start_date') }} <= cast(eh_plan_wd.value as integer)
            as is_timely
    from episodes
    {{ join_la_setting('eh_plan_wd', 'episodes.la_code', 'episodes.plan_start_date', 'eh_plan_wd') }}
    where episodes.plan_start_date is not null
),

eh_open as (
    {{ snapshot_indicator('open_children', 'EH_OPEN') }}
),

eh_rate as (
    {{ rate_per_10k('eh_open', 'EH_RATE') }}
),

eh_step_down as (
    {{ flow_indicator('step_downs', 'EH_STEP_DOWN', 'count') }}
),

eh_plan_timely as (
    {{ flow_indicator('plans', 'EH_PLAN_TIMELY', 'percent', numerator='is_timely') }}
),

eh_with_plan as (
    -- of episodes (not children) open at M1 and past the plan timescale, those with a plan agreed by M1
    {{ snapshot_indicator('open_episodes', 'EH_WITH_PLAN', 'percent',
                          numerator='is_past_plan_timescale and has_plan', denominator='is_past_plan_timescale') }}
)

select * from eh_open
union all
select * from eh_rate
union all
select * from eh_step_down
union all
select * from eh_plan_timely
union all
select * from eh_with_plan

-- Children looked after family (indicators.md, "Children looked after"): CLA_OPEN (also by
-- placement_type), CLA_RATE, CLA_STARTED, CLA_CEASED, CLA_3PLUS_PLACEMENTS, CLA_STABILITY_LT,
-- CLA_UASC.
with looked_after as (
    -- children looked after at M1 (an episode ending on M1 is no longer open), int_cla_month_end
    select
        *,
        placement_type as dimension_value,
        not is_short_break as is_stability_cohort,
        not is_short_break
            and age < 16
            and period_of_care_start <= cast(period_end - interval 30 month as date) as is_long_term_cohort,
        placement_start <= cast(period_end - interval 24 month as date) as is_placement_2y
    from {{ ref('int_cla_month_end') }}
),

episodes as (
    select la_code, start_date, end_date, reason_new_episode, reason_episode_ceased
    from {{ ref('stg_cla_episodes') }}
),

started as (
    select la_code, start_date as event_date from episodes where reason_new_episode = 'S'
),

ceased as (
    -- X1: the episode ends but the child stays looked after
    select la_code, end_date as event_date
    from episodes
    where end_date is not null and reason_episode_ceased is not null and reason_episode_ceased <> 'X1'
),

uasc as (
    select * from looked_after where is_uasc
),

cla_open as (
    {{ snapshot_indicator('looked_after', 'CLA_OPEN') }}
),

cla_open_by_placement_type as (
    {{ snapshot_indicator('looked_after', 'CLA_OPEN', dimension='placement_type', dimension_values=code_list('placement_type')) }}
),

cla_rate as (
    {{ rate_per_10k('cla_open', 'CLA_RATE') }}
),

cla_started as (
    {{ flow_indicator('started', 'CLA_STARTED', 'count') }}
),

cla_ceased as (
    {{ flow_indicator('ceased', 'CLA_CEASED', 'count') }}
),

cla_3plus_placements as (
    -- of children looked after (not on short breaks), those with 3+ placements in the 12 months to M1
    {{ snapshot_indicator('looked_after', 'CLA_3PLUS_PLACEMENTS', 'percent',
                          numerator='is_stability_cohort and placements_in_12_months >= 3',
                          denominator='is_stability_cohort') }}
),

cla_stability_lt as (
    -- of children under 16 looked after for 2.5 years or more (not on short breaks), those in
    -- their current placement for 2 years or more
    {{ snapshot_indicator('looked_after', 'CLA_STABILITY_LT', 'percent',
                          numerator='is_long_term_cohort and is_placement_2y',
                          denominator='is_long_term_cohort') }}
),

cla_uasc as (
    {{ snapshot_indicator('uasc', 'CLA_UASC') }}
)

select * from cla_open
union all
select * from cla_open_by_placement_type
union all
select * from cla_rate
union all
select * from cla_started
union all
select * from cla_ceased
union all
select * from cla_3plus_placements
union all
select * from cla_stability_lt
union all
select * from cla_uasc

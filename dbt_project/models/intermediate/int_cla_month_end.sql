-- Children looked after as at the last day M1 of each reported month (indicators.md, CLA_OPEN:
-- an episode with start_date <= M1 and end_date null or > M1), one row per LA x M1 x child,
-- described by the child's current episode (the open one; the last in episode order if several):
--   is_short_break           current legal status V3 or V4: outside LAC(M1) (care.md section A);
--   period_of_care_start     start of the current period of care (the run containing M1), null
--                            when the run is not begun by an S episode (start unknown);
--   earliest_known_start     start of the current run's earliest known episode (= period_of_care_start
--                            when that is known);
--   placement_start          start of the current placement (the one containing M1);
--   placements_in_12_months  placements with start <= M1 and (end null or end > M1 - 12 months);
--   age                      completed years at M1 (null without a date of birth);
--   sex                      children.sex;
--   is_uasc                  the child is an unaccompanied asylum-seeking child.
-- Rows are grouped and joined on child_key (int_cla_episodes), an integer: with millions of
-- child-months, grouping on the hashed child_id strings costs several times as much.
with episodes as (
    select la_code, child_key, child_id, episode_id, episode_seq, start_date, end_date, legal_status,
        placement_type, placement_provider, period_of_care_seq, placement_seq
    from {{ ref('int_cla_episodes') }}
),

open_episodes as (
    {{ open_at_month_end('episodes') }}
),

current_episodes as (
    -- the open episode; where episodes overlap (a data error the gate lets through below its
    -- threshold), the last open one in the child's episode order (int_cla_episodes.episode_seq)
    select
        episodes.la_code,
        latest_open.period_start,
        latest_open.period_end,
        episodes.child_id,
        episodes.child_key,
        episodes.episode_id,
        episodes.legal_status,
        episodes.placement_type,
        episodes.placement_provider,
        episodes.period_of_care_seq,
        episodes.placement_seq
    from (
        select child_key, period_end, any_value(period_start) as period_start, max(episode_seq) as episode_seq
        from open_episodes
        group by child_key, period_end
    ) as latest_open
    inner join episodes
        on episodes.child_key = latest_open.child_key
        and episodes.episode_seq = latest_open.episode_seq
),

cla_children as (
    -- date of birth and UASC flag of each child with episodes
    select distinct episodes.child_key, children.date_of_birth, children.sex, children.uasc
    from episodes
    inner join {{ ref('stg_children') }} as children
        on children.la_code = episodes.la_code
        and children.child_id = episodes.child_id
),

placements_in_12_months as (
    select current_episodes.child_key, current_episodes.period_end, count(*) as placements
    from current_episodes
    inner join {{ ref('int_placements') }} as placements
        on placements.child_key = current_episodes.child_key
        and placements.start_date <= current_episodes.period_end
        and (placements.end_date is null
            or placements.end_date > cast(current_episodes.period_end - interval 12 month as date))
    group by current_episodes.child_key, current_episodes.period_end
)

select
    current_episodes.la_code,
    current_episodes.period_start,
    current_episodes.period_end,
    current_episodes.child_id,
    current_episodes.child_key,
    current_episodes.episode_id,
    current_episodes.legal_status,
    current_episodes.placement_type,
    current_episodes.placement_provider,
    current_episodes.legal_status in ('V3', 'V4') as is_short_break,
    case when periods_of_care.begun_by_s then periods_of_care.start_date end as period_of_care_start,
    periods_of_care.start_date as earliest_known_start,
    placements.start_date as placement_start,
    coalesce(placements_in_12_months.placements, 0) as placements_in_12_months,
    {{ age_in_years('children.date_of_birth', 'current_episodes.period_end') }} as age,
    children.sex,
    coalesce(children.uasc = 'Y', false) as is_uasc
from current_episodes
{{ join_period_of_care('current_episodes') }}
inner join {{ ref('int_placements') }} as placements
    on placements.child_key = current_episodes.child_key
    and placements.placement_seq = current_episodes.placement_seq
left join placements_in_12_months
    on placements_in_12_months.child_key = current_episodes.child_key
    and placements_in_12_months.period_end = current_episodes.period_end
left join cla_children as children
    on children.child_key = current_episodes.child_key

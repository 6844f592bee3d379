-- CLA episodes in each child's order, marked with the period of care and the placement they
-- belong to (indicators.md, "Placements and periods of care"; extracts.md, cla_episodes):
--   a period of care is a run of episodes each starting on the day the previous one ended,
--   begun by an S episode: a new period starts at an S episode, at the child's first episode, or
--   wherever an episode does not start on the previous one's end date (a gap or an overlap);
--   a placement begins with an S, P, T, U or B episode and runs through any following
--   L (legal status only) episodes. The first episode of a period always begins one, so a run
--   that the extract starts part-way (with an L episode) still has a placement.
-- Episodes are ordered by start, zero-length episodes first, then episode_id. child_key numbers
-- the LA x child pairs, so the month-end models join and group on an integer, not on two strings.
with ordered as (
    select
        la_code,
        episode_id,
        child_id,
        dense_rank() over (order by la_code, child_id) as child_key,
        start_date,
        end_date,
        reason_new_episode,
        legal_status,
        placement_type,
        placement_provider,
        reason_episode_ceased,
        row_number() over child_episodes as episode_seq,
        lag(end_date) over child_episodes as previous_end_date,
        lag(episode_id) over child_episodes as previous_episode_id
    from {{ ref('stg_cla_episodes') }}
    window child_episodes as (partition by la_code, child_id order by start_date, end_date nulls last, episode_id)
),

boundaries as (
    select
        *,
        reason_new_episode = 'S'
            or previous_episode_id is null
            or previous_end_date is null
            or start_date <> previous_end_date as starts_period_of_care
    from ordered
),

placement_boundaries as (
    select
        *,
        starts_period_of_care or reason_new_episode in ('S', 'P', 'T', 'U', 'B') as starts_placement
    from boundaries
)

select
    la_code,
    episode_id,
    child_id,
    child_key,
    start_date,
    end_date,
    reason_new_episode,
    legal_status,
    placement_type,
    placement_provider,
    reason_episode_ceased,
    episode_seq,
    starts_period_of_care,
    starts_placement,
    cast(sum(case when starts_period_of_care then 1 else 0 end) over child_running as integer) as period_of_care_seq,
    cast(sum(case when starts_placement then 1 else 0 end) over child_running as integer) as placement_seq
from placement_boundaries
window child_running as (partition by la_code, child_id order by episode_seq rows between unbounded preceding and current row)

-- One row per placement (indicators.md, "Placements and periods of care"): it begins with an
-- S, P, T, U or B episode (int_cla_episodes.starts_placement) and lasts through any following
-- L episodes until the next placement of the same period of care begins (end_date = that
-- placement's start) or the period of care ends (end_date = its last episode's end; null if open).
with placement_starts as (
    select
        la_code,
        child_id,
        child_key,
        period_of_care_seq,
        placement_seq,
        min(start_date) as start_date,
        {{ first_by('episode_id', ['episode_seq']) }} as first_episode_id,
        {{ first_by('placement_type', ['episode_seq']) }} as placement_type
    from {{ ref('int_cla_episodes') }}
    group by la_code, child_id, child_key, period_of_care_seq, placement_seq
)

select
    placement_starts.la_code,
    placement_starts.child_id,
    placement_starts.child_key,
    placement_starts.period_of_care_seq,
    placement_starts.placement_seq,
    placement_starts.first_episode_id,
    placement_starts.placement_type,
    placement_starts.start_date,
    case
        when lead(placement_starts.start_date) over period_placements is not null
            then lead(placement_starts.start_date) over period_placements
        else periods_of_care.end_date
    end as end_date
from placement_starts
{{ join_period_of_care('placement_starts') }}
window period_placements as (
    partition by placement_starts.child_key, placement_starts.period_of_care_seq
    order by placement_starts.placement_seq
)

-- One row per period of care (indicators.md, "Placements and periods of care"): a run of
-- contiguous CLA episodes (int_cla_episodes). start_date is its first episode's start,
-- end_date its last episode's end (null while open). begun_by_s is false for a run the extract
-- starts part-way through: such a run is not a period of care whose start is known.
select
    la_code,
    child_id,
    child_key,
    period_of_care_seq,
    min(start_date) as start_date,
    max_by(end_date, episode_seq) as end_date,
    min_by(reason_new_episode, episode_seq) = 'S' as begun_by_s,
    count(*) as episodes
from intermediate.int_cla_episodes
group by la_code, child_id, child_key, period_of_care_seq
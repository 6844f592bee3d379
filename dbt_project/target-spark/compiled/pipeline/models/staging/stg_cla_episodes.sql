-- cla_episodes as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    episode_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    start_date,
    reason_new_episode,
    legal_status,
    category_of_need,
    placement_type,
    placement_provider,
    placement_postcode,
    end_date,
    reason_episode_ceased,
    reason_place_change
from raw.cla_episodes
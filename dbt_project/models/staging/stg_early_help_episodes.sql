-- early_help_episodes as landed (practice.md 1.2), child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    eh_episode_id,
    {{ pseudonymise('child_id') }} as child_id,
    start_date,
    assessment_completed_date,
    plan_start_date,
    end_date,
    source
from {{ source('raw', 'early_help_episodes') }}

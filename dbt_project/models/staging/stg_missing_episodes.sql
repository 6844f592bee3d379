-- missing_episodes, child_id pseudonymised, one row per episode: rows repeating (child_id, missing_type,
-- start_date) are one episode, the row with the lowest missing_id (care.md B.2; the gate warns
-- duplicate_missing). Lineage columns stay in raw.
select
    la_code,
    missing_id,
    {{ pseudonymise('child_id') }} as child_id,
    missing_type,
    start_date,
    end_date,
    rhi_offered_date,
    rhi_date
from {{ source('raw', 'missing_episodes') }}
qualify row_number() over (partition by la_code, child_id, missing_type, start_date order by missing_id) = 1

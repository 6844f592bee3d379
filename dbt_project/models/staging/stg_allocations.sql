-- allocations as landed: child_id and worker_id pseudonymised (worker_id in the staff domain,
-- practice.md 1.4), team normalised (section 2, "Team values"); lineage columns stay in raw
select
    la_code,
    allocation_id,
    {{ pseudonymise('child_id') }} as child_id,
    {{ normalise_whitespace('team') }} as team,
    {{ pseudonymise_worker('worker_id') }} as worker_id,
    worker_role,
    start_date,
    end_date
from {{ source('raw', 'allocations') }}

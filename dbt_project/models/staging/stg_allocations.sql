-- allocations as landed (practice.md 1.2). child_id pseudonymised; worker_id with the same keyed hash in
-- its own domain (input prefixed 'worker:', practice.md 1.4), so it never collides with a child's
select
    la_code,
    allocation_id,
    {{ pseudonymise('child_id') }} as child_id,
    team,
    {{ pseudonymise("'worker:' || worker_id") }} as worker_id,
    worker_role,
    start_date,
    end_date
from {{ source('raw', 'allocations') }}

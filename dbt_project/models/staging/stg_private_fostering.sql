-- private_fostering as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    pf_id,
    {{ pseudonymise('child_id') }} as child_id,
    notification_date,
    start_date,
    end_date
from {{ source('raw', 'private_fostering') }}

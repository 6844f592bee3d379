-- private_fostering as landed, child_id pseudonymised, with the known start (care.md C.8): the later of
-- notification_date and start_date (notification_date when start_date is null)
select
    la_code,
    pf_id,
    {{ pseudonymise('child_id') }} as child_id,
    notification_date,
    start_date,
    end_date,
    case when start_date > notification_date then start_date else notification_date end as known_start
from {{ source('raw', 'private_fostering') }}

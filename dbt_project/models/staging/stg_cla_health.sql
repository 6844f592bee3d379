-- cla_health, child_id pseudonymised; a repeated (child_id, event_type, event_date) is one event (care.md B.3)
select distinct
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    event_type,
    event_date
from {{ source('raw', 'cla_health') }}

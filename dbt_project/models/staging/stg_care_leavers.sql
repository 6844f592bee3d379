-- care_leavers as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    contact_date,
    in_touch,
    activity,
    accommodation
from {{ source('raw', 'care_leavers') }}

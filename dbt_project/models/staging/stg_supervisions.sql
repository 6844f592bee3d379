-- supervisions as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    supervision_id,
    {{ pseudonymise('child_id') }} as child_id,
    supervision_date,
    type
from {{ source('raw', 'supervisions') }}

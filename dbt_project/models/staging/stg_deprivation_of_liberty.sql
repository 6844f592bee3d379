-- deprivation_of_liberty as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    dol_id,
    {{ pseudonymise('child_id') }} as child_id,
    start_date,
    end_date
from {{ source('raw', 'deprivation_of_liberty') }}

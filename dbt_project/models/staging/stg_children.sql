-- children as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    sex,
    date_of_birth,
    expected_date_of_birth,
    ethnicity,
    disability,
    uasc
from {{ source('raw', 'children') }}

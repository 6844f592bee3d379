-- visits as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    visit_date,
    visit_type,
    seen_alone
from {{ source('raw', 'visits') }}

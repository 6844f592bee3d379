-- contacts as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    contact_id,
    {{ pseudonymise('child_id') }} as child_id,
    contact_datetime,
    contact_source,
    decision_datetime,
    outcome
from {{ source('raw', 'contacts') }}

-- legal_proceedings as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    legal_id,
    {{ pseudonymise('child_id') }} as child_id,
    plo_start_date,
    plo_end_date,
    plo_outcome,
    issue_date,
    final_order_date,
    final_order
from {{ source('raw', 'legal_proceedings') }}

-- cin_plans as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    cin_plan_id,
    {{ pseudonymise('child_id') }} as child_id,
    start_date,
    end_date
from {{ source('raw', 'cin_plans') }}

-- cp_plans as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    cp_plan_id,
    {{ pseudonymise('child_id') }} as child_id,
    start_date,
    end_date,
    initial_category,
    latest_category,
    previous_plans
from {{ source('raw', 'cp_plans') }}

-- s47_enquiries as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    s47_id,
    {{ pseudonymise('child_id') }} as child_id,
    strategy_id,
    referral_id,
    start_date,
    end_date,
    icpc_not_required,
    icpc_date,
    icpc_outcome_cp_plan,
    outcome
from {{ source('raw', 's47_enquiries') }}

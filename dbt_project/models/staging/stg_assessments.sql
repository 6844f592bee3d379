-- assessments as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    assessment_id,
    {{ pseudonymise('child_id') }} as child_id,
    referral_id,
    start_date,
    child_seen_date,
    authorisation_date,
    outcome
from {{ source('raw', 'assessments') }}

-- cp_reviews as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    cp_plan_id,
    {{ pseudonymise('child_id') }} as child_id,
    review_date
from {{ source('raw', 'cp_reviews') }}

-- cin_reviews as landed (practice.md 1.2), child_id pseudonymised; a repeated (cin_plan_id, review_date)
-- is one review (fct_cin counts distinct pairs)
select
    la_code,
    cin_plan_id,
    {{ pseudonymise('child_id') }} as child_id,
    review_date
from {{ source('raw', 'cin_reviews') }}

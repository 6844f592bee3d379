-- cla_reviews, child_id pseudonymised, one row per review: rows repeating (child_id, review_date) are
-- one review, whose participation is the code they all share, else null (care.md B.1)
select
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    review_date,
    case
        when count(participation) = count(*) and min(participation) = max(participation) then min(participation)
    end as participation
from {{ source('raw', 'cla_reviews') }}
group by la_code, child_id, review_date

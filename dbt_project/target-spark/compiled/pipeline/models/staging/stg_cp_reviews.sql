-- cp_reviews as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    cp_plan_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    review_date
from raw.cp_reviews
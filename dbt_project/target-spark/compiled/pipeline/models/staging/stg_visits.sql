-- visits as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    visit_date,
    visit_type,
    seen_alone
from raw.visits
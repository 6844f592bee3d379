-- children as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    sex,
    date_of_birth,
    expected_date_of_birth,
    ethnicity,
    disability,
    uasc
from raw.children
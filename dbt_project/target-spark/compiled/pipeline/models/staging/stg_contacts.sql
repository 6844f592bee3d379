-- contacts as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    contact_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    contact_datetime,
    contact_source,
    decision_datetime,
    outcome
from raw.contacts
-- assessments as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    assessment_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    referral_id,
    start_date,
    child_seen_date,
    authorisation_date,
    outcome
from raw.assessments
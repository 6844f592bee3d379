-- cin_plans as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    cin_plan_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    start_date,
    end_date
from raw.cin_plans
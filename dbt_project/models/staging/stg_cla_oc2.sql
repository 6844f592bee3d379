-- cla_oc2 as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    {{ pseudonymise('child_id') }} as child_id,
    year_ending,
    health_check,
    immunisations,
    teeth_check,
    development_assessment,
    substance_misuse,
    convicted,
    sdq_score
from {{ source('raw', 'cla_oc2') }}

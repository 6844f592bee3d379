-- optional columns each LA's file lacks: "not supplied" (practice.md section 1), so an indicator needing
-- one has no rows for that LA, as for an entity not supplied (stg_supplied_entities)
select distinct la_code, entity, column_name
from {{ source('raw', 'absent_columns') }}

-- entities each LA supplied; indicators of an entity not supplied have no rows (indicators.md)
select distinct la_code, entity
from {{ source('raw', 'supplied_entities') }}

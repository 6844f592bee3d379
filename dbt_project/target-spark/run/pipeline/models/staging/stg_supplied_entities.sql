
  
    
        create table staging.stg_supplied_entities
      
      
      
      
      
      
      
      

      as
      -- entities each LA supplied; indicators of an entity not supplied have no rows (indicators.md)
select distinct la_code, entity
from raw.supplied_entities
  
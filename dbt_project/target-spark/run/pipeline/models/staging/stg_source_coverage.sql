
  
    
        create table staging.stg_source_coverage
      
      
      
      
      
      
      
      

      as
      -- What each statutory-format source can support (pipeline/load/adapters, docs/statutory_formats.md):
-- per LA and entity, the date from which figures of the indicators needing it are complete
-- (covered_from; null: never), for every such indicator or one, every breakdown or one.
select la_code, entity, indicator_id, dimension, covered_from, reason
from raw.source_coverage
  

  
    
        create table staging.stg_la_extracts
      
      
      
      
      
      
      
      

      as
      -- one row per LA extract in this refresh
select la_code, la_name, extract_date, case_system
from raw.manifests
  
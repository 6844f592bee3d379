
  
    
        create table staging.stg_care_leavers
      
      
      
      
      
      
      
      

      as
      -- care_leavers as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    contact_date,
    in_touch,
    activity,
    accommodation
from raw.care_leavers
  
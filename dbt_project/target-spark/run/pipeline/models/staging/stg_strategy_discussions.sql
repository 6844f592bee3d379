
  
    
        create table staging.stg_strategy_discussions
      
      
      
      
      
      
      
      

      as
      -- strategy_discussions as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    strategy_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    referral_id,
    discussion_date,
    s47_agreed
from raw.strategy_discussions
  
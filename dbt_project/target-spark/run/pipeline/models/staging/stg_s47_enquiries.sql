
  
    
        create table staging.stg_s47_enquiries
      
      
      
      
      
      
      
      

      as
      -- s47_enquiries as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    s47_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    strategy_id,
    referral_id,
    start_date,
    end_date,
    icpc_not_required,
    icpc_date,
    icpc_outcome_cp_plan
from raw.s47_enquiries
  
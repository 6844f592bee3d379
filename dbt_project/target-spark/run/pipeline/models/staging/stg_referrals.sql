
  
    
        create table staging.stg_referrals
      
      
      
      
      
      
      
      

      as
      -- referrals as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    referral_id,
    sha2(concat(system.session.pseudonym_salt, child_id), 256) as child_id,
    referral_date,
    referral_source,
    contact_id,
    primary_need,
    referral_nfa,
    closure_date,
    closure_reason
from raw.referrals
  

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select is_rereferral
from intermediate.int_referral_history
where is_rereferral is null



  
  
      
    ) dbt_internal_test
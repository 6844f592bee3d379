
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select period_type
from marts.fct_referrals
where period_type is null



  
  
      
    ) dbt_internal_test
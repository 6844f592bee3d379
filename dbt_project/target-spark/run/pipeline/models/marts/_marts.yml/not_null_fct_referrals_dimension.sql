
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select dimension
from marts.fct_referrals
where dimension is null



  
  
      
    ) dbt_internal_test
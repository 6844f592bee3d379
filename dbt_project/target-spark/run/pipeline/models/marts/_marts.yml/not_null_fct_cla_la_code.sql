
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select la_code
from marts.fct_cla
where la_code is null



  
  
      
    ) dbt_internal_test
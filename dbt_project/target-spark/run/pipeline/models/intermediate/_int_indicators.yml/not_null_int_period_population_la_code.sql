
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select la_code
from intermediate.int_period_population
where la_code is null



  
  
      
    ) dbt_internal_test
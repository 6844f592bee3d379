
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select working_day_index
from intermediate.int_working_days
where working_day_index is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select is_working_day
from intermediate.int_working_days
where is_working_day is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select begun_by_s
from intermediate.int_periods_of_care
where begun_by_s is null



  
  
      
    ) dbt_internal_test
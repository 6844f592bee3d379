
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select earliest_open_start
from intermediate.int_cp_month_end
where earliest_open_start is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select current_category
from intermediate.int_cp_month_end
where current_category is null



  
  
      
    ) dbt_internal_test
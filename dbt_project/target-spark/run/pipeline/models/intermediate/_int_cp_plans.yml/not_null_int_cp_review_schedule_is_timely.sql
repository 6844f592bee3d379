
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select is_timely
from intermediate.int_cp_review_schedule
where is_timely is null



  
  
      
    ) dbt_internal_test
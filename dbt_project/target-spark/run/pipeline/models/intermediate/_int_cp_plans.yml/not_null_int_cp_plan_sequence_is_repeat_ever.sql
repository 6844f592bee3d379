
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select is_repeat_ever
from intermediate.int_cp_plan_sequence
where is_repeat_ever is null



  
  
      
    ) dbt_internal_test
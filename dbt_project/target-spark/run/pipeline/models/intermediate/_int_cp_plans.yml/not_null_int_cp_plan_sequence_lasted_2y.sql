
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select lasted_2y
from intermediate.int_cp_plan_sequence
where lasted_2y is null



  
  
      
    ) dbt_internal_test
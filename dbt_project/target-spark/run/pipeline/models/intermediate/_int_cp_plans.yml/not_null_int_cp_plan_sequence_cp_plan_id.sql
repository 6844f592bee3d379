
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select cp_plan_id
from intermediate.int_cp_plan_sequence
where cp_plan_id is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select child_id
from intermediate.int_cla_episodes
where child_id is null



  
  
      
    ) dbt_internal_test
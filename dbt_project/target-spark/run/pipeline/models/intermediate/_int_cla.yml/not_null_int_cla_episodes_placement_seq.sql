
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select placement_seq
from intermediate.int_cla_episodes
where placement_seq is null



  
  
      
    ) dbt_internal_test
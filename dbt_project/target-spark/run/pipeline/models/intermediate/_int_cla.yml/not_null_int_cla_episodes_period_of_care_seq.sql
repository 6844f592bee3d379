
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select period_of_care_seq
from intermediate.int_cla_episodes
where period_of_care_seq is null



  
  
      
    ) dbt_internal_test
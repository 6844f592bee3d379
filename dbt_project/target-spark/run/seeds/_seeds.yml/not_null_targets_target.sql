
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select target
from seeds.targets
where target is null



  
  
      
    ) dbt_internal_test
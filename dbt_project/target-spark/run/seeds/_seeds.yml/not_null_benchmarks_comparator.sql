
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select comparator
from seeds.benchmarks
where comparator is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select period_label
from seeds.benchmarks
where period_label is null



  
  
      
    ) dbt_internal_test
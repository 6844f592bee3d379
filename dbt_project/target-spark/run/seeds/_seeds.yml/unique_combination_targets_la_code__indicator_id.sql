
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, indicator_id,
    count(*) as occurrences
from seeds.targets
group by la_code, indicator_id
having count(*) > 1

  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from seeds.targets
where not coalesce((amber_tolerance >= 0), false)

  
  
      
    ) dbt_internal_test
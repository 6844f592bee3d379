
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_cla_episodes
where not coalesce((starts_placement or not starts_period_of_care), false)

  
  
      
    ) dbt_internal_test
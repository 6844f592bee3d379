
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_placements
where not coalesce((end_date is null or end_date >= start_date), false)

  
  
      
    ) dbt_internal_test
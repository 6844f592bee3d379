
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_cla_month_end
where not coalesce((placements_in_12_months >= 1 and placement_start <= period_end), false)

  
  
      
    ) dbt_internal_test
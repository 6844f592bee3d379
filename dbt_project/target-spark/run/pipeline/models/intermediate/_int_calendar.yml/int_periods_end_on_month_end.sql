
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_periods
where not coalesce((period_end = last_day(month_start) and period_start <= month_start), false)

  
  
      
    ) dbt_internal_test
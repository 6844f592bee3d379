
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_cp_month_end
where not coalesce((earliest_open_start <= period_end), false)

  
  
      
    ) dbt_internal_test
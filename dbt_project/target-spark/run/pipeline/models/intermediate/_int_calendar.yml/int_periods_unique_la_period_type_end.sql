
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, period_type, period_end,
    count(*) as occurrences
from intermediate.int_periods
group by la_code, period_type, period_end
having count(*) > 1

  
  
      
    ) dbt_internal_test
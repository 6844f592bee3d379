
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, indicator_id, period_type, period_end, dimension, dimension_value,
    count(*) as occurrences
from marts.fct_cp_enquiries
group by la_code, indicator_id, period_type, period_end, dimension, dimension_value
having count(*) > 1

  
  
      
    ) dbt_internal_test
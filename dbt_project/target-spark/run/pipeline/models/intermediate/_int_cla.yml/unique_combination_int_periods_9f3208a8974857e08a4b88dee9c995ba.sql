
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, child_id, period_of_care_seq,
    count(*) as occurrences
from intermediate.int_periods_of_care
group by la_code, child_id, period_of_care_seq
having count(*) > 1

  
  
      
    ) dbt_internal_test
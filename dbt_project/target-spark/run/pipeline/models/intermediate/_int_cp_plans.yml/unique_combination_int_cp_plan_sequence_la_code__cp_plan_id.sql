
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, cp_plan_id,
    count(*) as occurrences
from intermediate.int_cp_plan_sequence
group by la_code, cp_plan_id
having count(*) > 1

  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from intermediate.int_cp_plan_sequence
where not coalesce((is_repeat_ever or not is_repeat_within_2y), false)

  
  
      
    ) dbt_internal_test
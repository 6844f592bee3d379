
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select placement_start
from intermediate.int_cla_month_end
where placement_start is null



  
  
      
    ) dbt_internal_test
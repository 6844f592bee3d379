
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select placements_in_12_months
from intermediate.int_cla_month_end
where placements_in_12_months is null



  
  
      
    ) dbt_internal_test
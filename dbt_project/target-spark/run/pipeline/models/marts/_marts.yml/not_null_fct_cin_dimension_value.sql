
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select dimension_value
from marts.fct_cin
where dimension_value is null



  
  
      
    ) dbt_internal_test
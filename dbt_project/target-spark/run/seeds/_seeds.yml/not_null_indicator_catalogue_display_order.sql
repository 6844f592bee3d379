
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select display_order
from seeds.indicator_catalogue
where display_order is null



  
  
      
    ) dbt_internal_test
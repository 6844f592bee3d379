
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select needs
from seeds.indicator_catalogue
where needs is null



  
  
      
    ) dbt_internal_test
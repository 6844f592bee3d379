
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select age
from intermediate.int_care_leaver_cohort
where age is null



  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with all_values as (

    select
        age as value_field,
        count(*) as n_records

    from intermediate.int_care_leaver_cohort
    group by age

)

select *
from all_values
where value_field not in (
    19,20,21
)



  
  
      
    ) dbt_internal_test
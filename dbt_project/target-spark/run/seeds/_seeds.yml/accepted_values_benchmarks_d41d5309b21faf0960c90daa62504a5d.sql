
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with all_values as (

    select
        comparator as value_field,
        count(*) as n_records

    from seeds.benchmarks
    group by comparator

)

select *
from all_values
where value_field not in (
    'england','statistical_neighbours','region'
)



  
  
      
    ) dbt_internal_test

    
    

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



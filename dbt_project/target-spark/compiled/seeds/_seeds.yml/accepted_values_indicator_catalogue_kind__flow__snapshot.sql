
    
    

with all_values as (

    select
        kind as value_field,
        count(*) as n_records

    from seeds.indicator_catalogue
    group by kind

)

select *
from all_values
where value_field not in (
    'flow','snapshot'
)



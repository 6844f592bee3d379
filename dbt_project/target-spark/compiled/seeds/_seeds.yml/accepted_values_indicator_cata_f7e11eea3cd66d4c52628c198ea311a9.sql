
    
    

with all_values as (

    select
        unit as value_field,
        count(*) as n_records

    from seeds.indicator_catalogue
    group by unit

)

select *
from all_values
where value_field not in (
    'count','percent','rate_per_10k'
)



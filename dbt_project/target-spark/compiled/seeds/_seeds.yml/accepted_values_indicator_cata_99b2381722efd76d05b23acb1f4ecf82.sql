
    
    

with all_values as (

    select
        polarity as value_field,
        count(*) as n_records

    from seeds.indicator_catalogue
    group by polarity

)

select *
from all_values
where value_field not in (
    'higher_is_better','lower_is_better','neutral'
)



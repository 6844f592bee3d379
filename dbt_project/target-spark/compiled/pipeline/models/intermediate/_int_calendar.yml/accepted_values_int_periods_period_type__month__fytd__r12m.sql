
    
    

with all_values as (

    select
        period_type as value_field,
        count(*) as n_records

    from intermediate.int_periods
    group by period_type

)

select *
from all_values
where value_field not in (
    'month','fytd','r12m'
)



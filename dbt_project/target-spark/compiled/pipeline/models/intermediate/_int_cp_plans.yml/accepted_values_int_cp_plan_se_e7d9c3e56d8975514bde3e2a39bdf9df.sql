
    
    

with all_values as (

    select
        current_category as value_field,
        count(*) as n_records

    from intermediate.int_cp_plan_sequence
    group by current_category

)

select *
from all_values
where value_field not in (
    'NEG','PHY','SAB','EMO','MUL'
)



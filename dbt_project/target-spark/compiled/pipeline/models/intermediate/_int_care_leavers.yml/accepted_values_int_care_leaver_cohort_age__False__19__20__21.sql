
    
    

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




    
    

with all_values as (

    select
        family as value_field,
        count(*) as n_records

    from seeds.indicator_catalogue
    group by family

)

select *
from all_values
where value_field not in (
    'front_door','referrals','assessments','cp_enquiries','cp_plans','cin','cla','care_leavers'
)



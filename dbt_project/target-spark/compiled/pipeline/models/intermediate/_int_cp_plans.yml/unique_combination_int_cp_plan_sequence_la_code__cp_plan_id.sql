
select
    la_code, cp_plan_id,
    count(*) as occurrences
from intermediate.int_cp_plan_sequence
group by la_code, cp_plan_id
having count(*) > 1


    
    



select cp_plan_id
from intermediate.int_cp_plan_sequence
where cp_plan_id is null



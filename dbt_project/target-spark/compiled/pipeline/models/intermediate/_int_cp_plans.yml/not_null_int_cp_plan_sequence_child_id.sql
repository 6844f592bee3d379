
    
    



select child_id
from intermediate.int_cp_plan_sequence
where child_id is null



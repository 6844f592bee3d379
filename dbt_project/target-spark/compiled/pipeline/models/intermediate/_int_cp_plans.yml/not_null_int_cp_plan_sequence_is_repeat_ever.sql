
    
    



select is_repeat_ever
from intermediate.int_cp_plan_sequence
where is_repeat_ever is null



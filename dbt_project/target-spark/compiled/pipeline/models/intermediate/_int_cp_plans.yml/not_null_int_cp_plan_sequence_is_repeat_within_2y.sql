
    
    



select is_repeat_within_2y
from intermediate.int_cp_plan_sequence
where is_repeat_within_2y is null



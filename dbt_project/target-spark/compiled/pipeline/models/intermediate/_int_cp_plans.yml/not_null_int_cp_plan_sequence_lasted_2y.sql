
    
    



select lasted_2y
from intermediate.int_cp_plan_sequence
where lasted_2y is null



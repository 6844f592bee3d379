
    
    



select la_code
from intermediate.int_cp_plan_sequence
where la_code is null



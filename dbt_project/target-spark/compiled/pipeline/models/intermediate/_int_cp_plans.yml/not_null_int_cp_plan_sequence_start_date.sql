
    
    



select start_date
from intermediate.int_cp_plan_sequence
where start_date is null



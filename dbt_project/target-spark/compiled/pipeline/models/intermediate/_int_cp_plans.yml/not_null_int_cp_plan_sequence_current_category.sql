
    
    



select current_category
from intermediate.int_cp_plan_sequence
where current_category is null



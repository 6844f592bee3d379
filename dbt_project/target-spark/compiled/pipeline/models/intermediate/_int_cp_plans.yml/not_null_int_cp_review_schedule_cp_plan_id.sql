
    
    



select cp_plan_id
from intermediate.int_cp_review_schedule
where cp_plan_id is null



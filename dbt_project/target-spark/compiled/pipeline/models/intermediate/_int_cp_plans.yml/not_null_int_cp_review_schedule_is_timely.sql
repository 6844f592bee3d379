
    
    



select is_timely
from intermediate.int_cp_review_schedule
where is_timely is null



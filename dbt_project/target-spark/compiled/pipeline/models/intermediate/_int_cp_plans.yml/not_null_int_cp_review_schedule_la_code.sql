
    
    



select la_code
from intermediate.int_cp_review_schedule
where la_code is null



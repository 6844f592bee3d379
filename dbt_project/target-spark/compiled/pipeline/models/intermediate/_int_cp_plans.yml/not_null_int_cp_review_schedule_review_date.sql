
    
    



select review_date
from intermediate.int_cp_review_schedule
where review_date is null



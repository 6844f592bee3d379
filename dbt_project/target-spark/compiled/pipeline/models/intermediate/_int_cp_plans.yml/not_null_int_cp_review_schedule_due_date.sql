
    
    



select due_date
from intermediate.int_cp_review_schedule
where due_date is null



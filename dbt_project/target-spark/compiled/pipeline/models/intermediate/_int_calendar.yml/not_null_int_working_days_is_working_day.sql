
    
    



select is_working_day
from intermediate.int_working_days
where is_working_day is null



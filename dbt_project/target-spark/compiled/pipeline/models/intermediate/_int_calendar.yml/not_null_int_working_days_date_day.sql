
    
    



select date_day
from intermediate.int_working_days
where date_day is null



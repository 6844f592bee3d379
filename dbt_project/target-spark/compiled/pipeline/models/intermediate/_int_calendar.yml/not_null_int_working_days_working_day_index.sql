
    
    



select working_day_index
from intermediate.int_working_days
where working_day_index is null




    
    



select earliest_open_start
from intermediate.int_cp_month_end
where earliest_open_start is null



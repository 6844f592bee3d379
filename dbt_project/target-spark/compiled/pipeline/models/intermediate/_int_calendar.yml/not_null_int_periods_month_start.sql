
    
    



select month_start
from intermediate.int_periods
where month_start is null



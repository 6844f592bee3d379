
    
    



select period_start
from intermediate.int_periods
where period_start is null




    
    



select period_end
from intermediate.int_periods
where period_end is null



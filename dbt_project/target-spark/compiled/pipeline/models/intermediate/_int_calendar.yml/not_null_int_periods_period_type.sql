
    
    



select period_type
from intermediate.int_periods
where period_type is null



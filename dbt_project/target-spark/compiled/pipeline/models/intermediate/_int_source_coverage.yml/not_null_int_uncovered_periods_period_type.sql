
    
    



select period_type
from intermediate.int_uncovered_periods
where period_type is null



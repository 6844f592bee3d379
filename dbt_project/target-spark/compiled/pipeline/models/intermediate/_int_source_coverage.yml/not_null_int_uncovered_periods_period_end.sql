
    
    



select period_end
from intermediate.int_uncovered_periods
where period_end is null



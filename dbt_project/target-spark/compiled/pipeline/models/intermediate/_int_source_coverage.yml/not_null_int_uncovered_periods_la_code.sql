
    
    



select la_code
from intermediate.int_uncovered_periods
where la_code is null



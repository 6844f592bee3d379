
    
    



select la_code
from intermediate.int_periods
where la_code is null



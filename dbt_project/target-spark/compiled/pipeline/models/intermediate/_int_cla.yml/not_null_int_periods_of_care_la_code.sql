
    
    



select la_code
from intermediate.int_periods_of_care
where la_code is null



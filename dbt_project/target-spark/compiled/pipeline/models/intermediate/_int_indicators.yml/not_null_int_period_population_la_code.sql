
    
    



select la_code
from intermediate.int_period_population
where la_code is null



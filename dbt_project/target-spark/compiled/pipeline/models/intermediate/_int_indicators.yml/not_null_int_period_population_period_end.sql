
    
    



select period_end
from intermediate.int_period_population
where period_end is null




    
    



select indicator_id
from intermediate.int_uncovered_periods
where indicator_id is null



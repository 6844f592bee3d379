
    
    



select child_id
from intermediate.int_periods_of_care
where child_id is null




    
    



select start_date
from intermediate.int_periods_of_care
where start_date is null



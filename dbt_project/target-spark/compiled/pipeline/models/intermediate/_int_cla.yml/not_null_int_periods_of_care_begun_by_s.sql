
    
    



select begun_by_s
from intermediate.int_periods_of_care
where begun_by_s is null




    
    



select start_date
from intermediate.int_placements
where start_date is null



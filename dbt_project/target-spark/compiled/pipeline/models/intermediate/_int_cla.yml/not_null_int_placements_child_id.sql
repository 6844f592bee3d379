
    
    



select child_id
from intermediate.int_placements
where child_id is null




    
    



select la_code
from intermediate.int_placements
where la_code is null



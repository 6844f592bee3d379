
    
    



select la_code
from marts.fct_front_door
where la_code is null



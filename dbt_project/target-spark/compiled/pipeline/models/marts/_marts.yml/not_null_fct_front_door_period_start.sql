
    
    



select period_start
from marts.fct_front_door
where period_start is null



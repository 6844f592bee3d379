
    
    



select period_end
from marts.fct_front_door
where period_end is null



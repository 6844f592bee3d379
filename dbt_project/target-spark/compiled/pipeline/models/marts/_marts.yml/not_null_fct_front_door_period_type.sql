
    
    



select period_type
from marts.fct_front_door
where period_type is null



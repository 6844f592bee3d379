
    
    



select indicator_id
from marts.fct_front_door
where indicator_id is null




    
    



select dimension
from marts.fct_front_door
where dimension is null



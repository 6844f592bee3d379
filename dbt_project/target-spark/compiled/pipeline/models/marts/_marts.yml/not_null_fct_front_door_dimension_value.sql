
    
    



select dimension_value
from marts.fct_front_door
where dimension_value is null



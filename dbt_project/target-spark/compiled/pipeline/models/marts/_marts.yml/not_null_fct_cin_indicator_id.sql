
    
    



select indicator_id
from marts.fct_cin
where indicator_id is null



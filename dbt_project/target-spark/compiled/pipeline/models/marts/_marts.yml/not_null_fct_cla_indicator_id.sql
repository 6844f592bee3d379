
    
    



select indicator_id
from marts.fct_cla
where indicator_id is null




    
    



select indicator_id
from marts.fct_care_leavers
where indicator_id is null




    
    



select indicator_id
from marts.fct_cp_enquiries
where indicator_id is null



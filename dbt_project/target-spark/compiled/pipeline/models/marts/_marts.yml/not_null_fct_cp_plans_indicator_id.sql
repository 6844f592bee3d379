
    
    



select indicator_id
from marts.fct_cp_plans
where indicator_id is null



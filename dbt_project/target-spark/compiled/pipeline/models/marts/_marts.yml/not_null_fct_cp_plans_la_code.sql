
    
    



select la_code
from marts.fct_cp_plans
where la_code is null



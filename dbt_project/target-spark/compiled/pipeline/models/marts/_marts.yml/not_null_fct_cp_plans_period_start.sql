
    
    



select period_start
from marts.fct_cp_plans
where period_start is null



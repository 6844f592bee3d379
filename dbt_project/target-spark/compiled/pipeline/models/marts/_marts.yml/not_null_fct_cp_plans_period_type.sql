
    
    



select period_type
from marts.fct_cp_plans
where period_type is null



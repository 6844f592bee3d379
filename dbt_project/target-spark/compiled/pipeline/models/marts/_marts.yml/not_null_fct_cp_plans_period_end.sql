
    
    



select period_end
from marts.fct_cp_plans
where period_end is null




    
    



select dimension
from marts.fct_cp_plans
where dimension is null



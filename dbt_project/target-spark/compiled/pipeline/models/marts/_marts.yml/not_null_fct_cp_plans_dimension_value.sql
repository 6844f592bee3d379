
    
    



select dimension_value
from marts.fct_cp_plans
where dimension_value is null



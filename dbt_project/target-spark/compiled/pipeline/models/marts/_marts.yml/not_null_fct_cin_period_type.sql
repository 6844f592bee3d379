
    
    



select period_type
from marts.fct_cin
where period_type is null



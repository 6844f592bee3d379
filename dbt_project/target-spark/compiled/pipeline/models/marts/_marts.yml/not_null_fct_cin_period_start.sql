
    
    



select period_start
from marts.fct_cin
where period_start is null



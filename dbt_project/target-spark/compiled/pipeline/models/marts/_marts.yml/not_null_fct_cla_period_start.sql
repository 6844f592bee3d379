
    
    



select period_start
from marts.fct_cla
where period_start is null



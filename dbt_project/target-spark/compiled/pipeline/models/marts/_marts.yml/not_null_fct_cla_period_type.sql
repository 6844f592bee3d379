
    
    



select period_type
from marts.fct_cla
where period_type is null




    
    



select period_end
from marts.fct_cla
where period_end is null



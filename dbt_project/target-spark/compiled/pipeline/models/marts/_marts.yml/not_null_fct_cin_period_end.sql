
    
    



select period_end
from marts.fct_cin
where period_end is null



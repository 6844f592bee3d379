
    
    



select period_start
from marts.fct_care_leavers
where period_start is null




    
    



select period_end
from marts.fct_care_leavers
where period_end is null




    
    



select period_type
from marts.fct_care_leavers
where period_type is null




    
    



select la_code
from marts.fct_care_leavers
where la_code is null



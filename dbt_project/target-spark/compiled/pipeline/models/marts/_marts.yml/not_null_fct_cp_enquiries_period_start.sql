
    
    



select period_start
from marts.fct_cp_enquiries
where period_start is null



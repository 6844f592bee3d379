
    
    



select period_end
from marts.fct_cp_enquiries
where period_end is null




    
    



select period_type
from marts.fct_cp_enquiries
where period_type is null



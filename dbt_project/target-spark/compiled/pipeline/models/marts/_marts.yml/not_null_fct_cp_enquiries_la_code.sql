
    
    



select la_code
from marts.fct_cp_enquiries
where la_code is null



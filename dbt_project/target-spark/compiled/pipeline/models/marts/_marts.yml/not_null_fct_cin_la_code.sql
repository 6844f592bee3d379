
    
    



select la_code
from marts.fct_cin
where la_code is null



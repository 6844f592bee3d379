
    
    



select la_code
from marts.fct_cla
where la_code is null



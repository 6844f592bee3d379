
    
    



select la_code
from marts.fct_assessments
where la_code is null



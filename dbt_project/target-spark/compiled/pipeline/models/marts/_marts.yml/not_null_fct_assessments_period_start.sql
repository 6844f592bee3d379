
    
    



select period_start
from marts.fct_assessments
where period_start is null




    
    



select period_type
from marts.fct_assessments
where period_type is null



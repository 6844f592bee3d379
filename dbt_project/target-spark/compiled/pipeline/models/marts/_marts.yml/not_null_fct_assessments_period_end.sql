
    
    



select period_end
from marts.fct_assessments
where period_end is null



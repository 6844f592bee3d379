
    
    



select indicator_id
from marts.fct_assessments
where indicator_id is null



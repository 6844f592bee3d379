
    
    



select dimension
from marts.fct_assessments
where dimension is null



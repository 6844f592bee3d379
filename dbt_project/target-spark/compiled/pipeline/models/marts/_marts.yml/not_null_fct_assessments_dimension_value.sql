
    
    



select dimension_value
from marts.fct_assessments
where dimension_value is null



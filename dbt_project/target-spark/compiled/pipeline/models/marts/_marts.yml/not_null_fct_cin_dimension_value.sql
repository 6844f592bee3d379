
    
    



select dimension_value
from marts.fct_cin
where dimension_value is null



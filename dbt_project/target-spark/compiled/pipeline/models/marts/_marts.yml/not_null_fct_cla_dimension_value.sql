
    
    



select dimension_value
from marts.fct_cla
where dimension_value is null



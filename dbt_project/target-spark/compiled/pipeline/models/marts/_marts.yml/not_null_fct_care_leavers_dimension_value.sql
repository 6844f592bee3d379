
    
    



select dimension_value
from marts.fct_care_leavers
where dimension_value is null



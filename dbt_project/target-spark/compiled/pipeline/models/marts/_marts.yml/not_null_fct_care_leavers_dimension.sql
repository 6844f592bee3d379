
    
    



select dimension
from marts.fct_care_leavers
where dimension is null




    
    



select dimension_value
from marts.fct_cp_enquiries
where dimension_value is null



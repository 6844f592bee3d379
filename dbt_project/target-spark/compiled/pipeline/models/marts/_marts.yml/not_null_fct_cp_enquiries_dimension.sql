
    
    



select dimension
from marts.fct_cp_enquiries
where dimension is null




    
    



select dimension
from marts.fct_cin
where dimension is null



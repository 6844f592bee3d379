
    
    



select dimension
from marts.fct_cla
where dimension is null



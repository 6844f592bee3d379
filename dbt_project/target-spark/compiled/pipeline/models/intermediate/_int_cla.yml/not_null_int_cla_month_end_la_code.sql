
    
    



select la_code
from intermediate.int_cla_month_end
where la_code is null




    
    



select la_code
from intermediate.int_cp_month_end
where la_code is null



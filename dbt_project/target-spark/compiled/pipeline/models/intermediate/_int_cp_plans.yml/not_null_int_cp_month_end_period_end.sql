
    
    



select period_end
from intermediate.int_cp_month_end
where period_end is null



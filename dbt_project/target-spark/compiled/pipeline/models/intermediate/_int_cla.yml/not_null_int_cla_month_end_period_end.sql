
    
    



select period_end
from intermediate.int_cla_month_end
where period_end is null



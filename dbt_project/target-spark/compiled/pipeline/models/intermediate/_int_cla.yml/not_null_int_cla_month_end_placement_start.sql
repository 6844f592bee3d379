
    
    



select placement_start
from intermediate.int_cla_month_end
where placement_start is null



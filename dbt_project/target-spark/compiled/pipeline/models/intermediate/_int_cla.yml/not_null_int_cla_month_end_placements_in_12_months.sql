
    
    



select placements_in_12_months
from intermediate.int_cla_month_end
where placements_in_12_months is null



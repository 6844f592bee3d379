
    
    



select current_category
from intermediate.int_cp_month_end
where current_category is null



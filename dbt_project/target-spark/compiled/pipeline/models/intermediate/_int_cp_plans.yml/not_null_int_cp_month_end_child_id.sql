
    
    



select child_id
from intermediate.int_cp_month_end
where child_id is null



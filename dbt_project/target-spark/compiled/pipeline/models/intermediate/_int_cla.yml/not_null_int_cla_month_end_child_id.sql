
    
    



select child_id
from intermediate.int_cla_month_end
where child_id is null




    
    



select child_id
from intermediate.int_care_leaver_cohort
where child_id is null



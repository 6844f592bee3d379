
    
    



select period_end
from intermediate.int_care_leaver_cohort
where period_end is null




    
    



select la_code
from intermediate.int_care_leaver_cohort
where la_code is null



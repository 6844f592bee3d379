
    
    



select age
from intermediate.int_care_leaver_cohort
where age is null



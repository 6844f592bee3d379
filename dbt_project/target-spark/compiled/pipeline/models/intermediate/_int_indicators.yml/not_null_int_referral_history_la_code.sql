
    
    



select la_code
from intermediate.int_referral_history
where la_code is null



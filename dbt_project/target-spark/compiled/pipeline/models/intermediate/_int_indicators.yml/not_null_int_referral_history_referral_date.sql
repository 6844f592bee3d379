
    
    



select referral_date
from intermediate.int_referral_history
where referral_date is null



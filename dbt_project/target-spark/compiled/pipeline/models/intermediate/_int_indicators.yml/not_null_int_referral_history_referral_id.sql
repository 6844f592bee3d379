
    
    



select referral_id
from intermediate.int_referral_history
where referral_id is null



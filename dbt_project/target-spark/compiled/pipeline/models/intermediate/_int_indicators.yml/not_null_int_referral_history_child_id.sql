
    
    



select child_id
from intermediate.int_referral_history
where child_id is null



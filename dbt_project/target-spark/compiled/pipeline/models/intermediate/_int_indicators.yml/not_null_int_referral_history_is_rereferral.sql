
    
    



select is_rereferral
from intermediate.int_referral_history
where is_rereferral is null




    
    



select period_type
from marts.fct_referrals
where period_type is null



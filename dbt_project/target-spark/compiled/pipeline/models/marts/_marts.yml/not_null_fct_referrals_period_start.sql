
    
    



select period_start
from marts.fct_referrals
where period_start is null




    
    



select period_end
from marts.fct_referrals
where period_end is null




    
    



select la_code
from marts.fct_referrals
where la_code is null




    
    



select indicator_id
from marts.fct_referrals
where indicator_id is null



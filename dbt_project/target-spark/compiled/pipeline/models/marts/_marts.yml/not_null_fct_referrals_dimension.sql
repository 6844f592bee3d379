
    
    



select dimension
from marts.fct_referrals
where dimension is null



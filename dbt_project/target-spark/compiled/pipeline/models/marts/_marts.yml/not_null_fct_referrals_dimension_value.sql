
    
    



select dimension_value
from marts.fct_referrals
where dimension_value is null




    
    



select la_code
from intermediate.int_cla_episodes
where la_code is null




    
    



select child_key
from intermediate.int_cla_episodes
where child_key is null




    
    



select child_id
from intermediate.int_cla_episodes
where child_id is null



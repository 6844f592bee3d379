
    
    



select episode_id
from intermediate.int_cla_episodes
where episode_id is null



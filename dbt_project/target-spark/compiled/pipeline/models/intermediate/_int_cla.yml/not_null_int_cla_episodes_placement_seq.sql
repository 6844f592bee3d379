
    
    



select placement_seq
from intermediate.int_cla_episodes
where placement_seq is null



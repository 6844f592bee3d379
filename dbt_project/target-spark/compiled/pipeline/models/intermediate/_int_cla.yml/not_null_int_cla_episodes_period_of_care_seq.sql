
    
    



select period_of_care_seq
from intermediate.int_cla_episodes
where period_of_care_seq is null




    
    



select indicator_id
from seeds.targets
where indicator_id is null



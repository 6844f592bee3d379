
    
    



select target
from seeds.targets
where target is null



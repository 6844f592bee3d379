
    
    



select la_code
from seeds.targets
where la_code is null



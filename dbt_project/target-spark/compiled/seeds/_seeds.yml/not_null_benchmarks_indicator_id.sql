
    
    



select indicator_id
from seeds.benchmarks
where indicator_id is null



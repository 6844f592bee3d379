
    
    



select value
from seeds.benchmarks
where value is null



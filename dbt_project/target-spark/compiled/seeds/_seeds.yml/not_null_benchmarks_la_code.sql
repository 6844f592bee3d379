
    
    



select la_code
from seeds.benchmarks
where la_code is null




    
    



select comparator
from seeds.benchmarks
where comparator is null




    
    



select source
from seeds.benchmarks
where source is null



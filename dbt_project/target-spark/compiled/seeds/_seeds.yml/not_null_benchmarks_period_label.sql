
    
    



select period_label
from seeds.benchmarks
where period_label is null



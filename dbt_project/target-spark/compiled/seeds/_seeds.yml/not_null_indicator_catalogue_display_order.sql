
    
    



select display_order
from seeds.indicator_catalogue
where display_order is null




    
    



select needs
from seeds.indicator_catalogue
where needs is null



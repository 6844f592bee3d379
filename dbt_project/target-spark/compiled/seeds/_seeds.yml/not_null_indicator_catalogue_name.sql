
    
    



select name
from seeds.indicator_catalogue
where name is null



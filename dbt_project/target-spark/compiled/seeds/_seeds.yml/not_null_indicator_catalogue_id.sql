
    
    



select id
from seeds.indicator_catalogue
where id is null



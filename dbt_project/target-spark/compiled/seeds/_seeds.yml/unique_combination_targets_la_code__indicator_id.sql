
select
    la_code, indicator_id,
    count(*) as occurrences
from seeds.targets
group by la_code, indicator_id
having count(*) > 1

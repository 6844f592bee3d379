
select
    la_code, indicator_id, period_type, period_end, dimension, dimension_value,
    count(*) as occurrences
from marts.fct_front_door
group by la_code, indicator_id, period_type, period_end, dimension, dimension_value
having count(*) > 1

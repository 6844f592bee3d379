
select
    la_code, period_end, child_id,
    count(*) as occurrences
from intermediate.int_cla_month_end
group by la_code, period_end, child_id
having count(*) > 1

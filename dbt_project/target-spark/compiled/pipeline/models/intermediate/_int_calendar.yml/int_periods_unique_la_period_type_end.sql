
select
    la_code, period_type, period_end,
    count(*) as occurrences
from intermediate.int_periods
group by la_code, period_type, period_end
having count(*) > 1

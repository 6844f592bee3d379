
select
    la_code, period_end,
    count(*) as occurrences
from intermediate.int_period_population
group by la_code, period_end
having count(*) > 1

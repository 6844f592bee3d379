
select
    la_code, indicator_id, comparator, period_label,
    count(*) as occurrences
from seeds.benchmarks
group by la_code, indicator_id, comparator, period_label
having count(*) > 1


select *
from seeds.benchmarks
where not coalesce((regexp_like(period_label, '^[0-9]{4}/[0-9]{2}$')), false)

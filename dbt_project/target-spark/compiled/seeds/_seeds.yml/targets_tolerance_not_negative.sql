
select *
from seeds.targets
where not coalesce((amber_tolerance >= 0), false)

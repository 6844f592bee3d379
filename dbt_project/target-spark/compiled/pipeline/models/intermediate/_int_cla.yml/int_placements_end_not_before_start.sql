
select *
from intermediate.int_placements
where not coalesce((end_date is null or end_date >= start_date), false)


select *
from intermediate.int_working_days
where not coalesce((date_day between date '2009-01-01' and date '2031-12-31' and working_day_index >= 0), false)

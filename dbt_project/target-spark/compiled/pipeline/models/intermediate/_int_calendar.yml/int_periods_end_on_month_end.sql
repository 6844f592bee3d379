
select *
from intermediate.int_periods
where not coalesce((period_end = last_day(month_start) and period_start <= month_start), false)

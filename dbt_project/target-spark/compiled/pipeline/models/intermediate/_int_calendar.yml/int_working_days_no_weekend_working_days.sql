
select *
from intermediate.int_working_days
where not coalesce((not is_working_day or (weekday(date_day) + 1) <= 5), false)


select *
from intermediate.int_cp_month_end
where not coalesce((earliest_open_start <= period_end), false)

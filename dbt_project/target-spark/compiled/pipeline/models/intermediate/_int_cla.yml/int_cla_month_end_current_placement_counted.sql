
select *
from intermediate.int_cla_month_end
where not coalesce((placements_in_12_months >= 1 and placement_start <= period_end), false)

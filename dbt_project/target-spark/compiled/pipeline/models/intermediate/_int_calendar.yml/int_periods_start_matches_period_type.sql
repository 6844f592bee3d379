
select *
from intermediate.int_periods
where not coalesce((case period_type
  when 'month' then period_start = month_start
  when 'fytd' then month(period_start) = 4 and day(period_start) = 1
    and period_start > period_end - interval 1 year
  when 'r12m' then period_start = month_start - interval 11 month
end), false)

-- One row per calendar day with a running count of working days, so that
-- wd(a, b) = working_day_index(b) - working_day_index(a) (see macros/working_days.sql).
-- The range matches seeds/bank_holidays.csv; a date outside it has no row and gives a null wd().



with days as (
    select date_day
    from (select explode(sequence(date '2009-01-01', date '2031-12-31', interval 1 day)) as date_day) as series
),

flagged as (
    select
        days.date_day,
        -- Monday = 1 .. Sunday = 7
        (weekday(days.date_day) + 1) <= 5 and bank_holidays.date is null as is_working_day
    from days
    left join seeds.bank_holidays as bank_holidays on bank_holidays.date = days.date_day
)

select
    date_day,
    is_working_day,
    -- working days d with calendar_start < d <= date_day: the first day itself never counts
    cast(
        sum(case when is_working_day and date_day > date '2009-01-01' then 1 else 0 end)
            over (order by date_day rows between unbounded preceding and current row)
        as integer
    ) as working_day_index
from flagged
order by date_day
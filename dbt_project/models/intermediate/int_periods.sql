-- Reporting periods per LA (indicators.md, "Period" and flow period types): every complete
-- calendar month M ending on or before the LA's extract_date, the latest var('history_months')
-- of them, each reported as the month itself, the financial year to date and the rolling 12 months.
with extracts as (
    -- one extract per LA is expected; if there are several, report from the latest
    select la_code, max(extract_date) as extract_date
    from {{ ref('stg_la_extracts') }}
    group by la_code
),

months as (
    -- the first day of the month after extract_date + 1 day is the first month not yet complete,
    -- so an extract dated the last day of a month includes that month
    select
        extracts.la_code,
        {{ add_months("cast(date_trunc('month', extracts.extract_date + interval 1 day) as date)", '-months_back.n') }}
            as month_start
    from extracts
    cross join {{ integer_series(1, var('history_months'), 'n') }} as months_back
),

bounded as (
    select
        la_code,
        month_start,
        last_day(month_start) as month_end
    from months
),

periods as (
    select la_code, 'month' as period_type, month_start as period_start, month_end, month_start
    from bounded
    union all
    select
        la_code,
        'fytd' as period_type,
        -- 1 April on or before the month's last day
        make_date(year(month_end) - case when month(month_end) < 4 then 1 else 0 end, 4, 1) as period_start,
        month_end,
        month_start
    from bounded
    union all
    select
        la_code,
        'r12m' as period_type,
        cast(month_start - interval 11 month as date) as period_start,
        month_end,
        month_start
    from bounded
)

select
    la_code,
    period_type,
    cast(period_start as date) as period_start,
    cast(month_end as date) as period_end,
    cast(month_start as date) as month_start
from periods

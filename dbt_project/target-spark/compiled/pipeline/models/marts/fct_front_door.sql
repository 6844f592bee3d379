-- Front door family (indicators.md, "Front door"): CON_RECEIVED, CON_DECIDED_1WD, CON_TO_REFERRAL.
-- Contact and decision times are local datetimes; every definition uses their dates.
with contacts as (
    select
        la_code,
        cast(contact_datetime as date) as contact_date,
        cast(decision_datetime as date) as decision_date,
        outcome
    from staging.stg_contacts
),

received as (
    -- a contact counts in the period of the day it was received
    select la_code, contact_date as event_date
    from contacts
),

decided as (
    -- the two percentages are of contacts decided in the period, whenever they were received
    select
        la_code,
        decision_date as event_date,
        ((select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(decision_date as date)) - (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from intermediate.int_working_days) as _wd_calendar
     where _wd_date = cast(contact_date as date))) <= 1 as is_within_1wd,
        outcome = 'REFERRAL' as is_referral
    from contacts
    where decision_date is not null
),

con_received as (
    select
    periods.la_code,
    'CON_RECEIVED' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(coalesce(sum(monthly.events), 0) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(false, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from received
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

con_decided_1wd as (
    -- wd(contact date, decision date) <= 1: the same day or the next working day
    select
    periods.la_code,
    'CON_DECIDED_1WD' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(100 * coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(is_within_1wd, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from decided
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

con_to_referral as (
    select
    periods.la_code,
    'CON_TO_REFERRAL' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(coalesce(sum(monthly.numerator), 0) as bigint) as numerator,
    cast(coalesce(sum(monthly.denominator), 0) as bigint) as denominator,
    cast(100 * coalesce(sum(monthly.numerator), 0) as double) / nullif(sum(monthly.denominator), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
) as periods
left join (
    select
        la_code,
        cast(date_trunc('month', event_date) as date) as month_start,
        
        count(*) as events,
        count(*) filter (where coalesce(is_referral, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from decided
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
)

select * from con_received
union all
select * from con_decided_1wd
union all
select * from con_to_referral
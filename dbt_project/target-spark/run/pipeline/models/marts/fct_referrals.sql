
  
    
        create table marts.fct_referrals
      
      
      
      
      
      
      
      

      as
      -- Referrals family (indicators.md, "Referrals"): REF_COUNT, REF_RATE, REF_REREFERRAL, REF_NFA.
with referrals as (
    -- each referral counts in the period of its referral_date
    select
        la_code,
        referral_date as event_date,
        is_rereferral,
        referral_nfa = 'Y' as is_nfa
    from intermediate.int_referral_history
),

ref_count as (
    select
    periods.la_code,
    'REF_COUNT' as indicator_id,
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
    from referrals
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

ref_rate as (
    select
    counts.la_code,
    'REF_RATE' as indicator_id,
    counts.period_type,
    counts.period_start,
    counts.period_end,
    counts.dimension,
    counts.dimension_value,
    cast(counts.value as bigint) as numerator,
    population.population_0_17 as denominator,
    -- multiply first: 3 x 10,000 / 20,000 is exactly 1.5, 3 / 20,000 x 10,000 is not
    counts.value * 10000 / nullif(population.population_0_17, 0) as value
from ref_count as counts
left join intermediate.int_period_population as population
    on population.la_code = counts.la_code
    and population.period_end = counts.period_end
),

ref_rereferral as (
    -- of REF_COUNT, those with another referral of the same child in the 12 months before
    select
    periods.la_code,
    'REF_REREFERRAL' as indicator_id,
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
        count(*) filter (where coalesce(is_rereferral, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from referrals
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
),

ref_nfa as (
    -- of REF_COUNT, those closed with no further action
    select
    periods.la_code,
    'REF_NFA' as indicator_id,
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
        count(*) filter (where coalesce(is_nfa, false)) as numerator,
        count(*) filter (where coalesce(true, false)) as denominator
    from referrals
    where event_date is not null
    group by all
) as monthly
    on monthly.la_code = periods.la_code
    and monthly.month_start between periods.period_start and periods.period_end
group by all
)

select * from ref_count
union all
select * from ref_rate
union all
select * from ref_rereferral
union all
select * from ref_nfa
  

  
    
        create table marts.fct_cin
      
      
      
      
      
      
      
      

      as
      -- Children in need family (indicators.md, "Children in need"): CIN_PLAN_OPEN.
with cin_plans as (
    select la_code, child_id, start_date, end_date
    from staging.stg_cin_plans
),

on_cin_plan as (
    -- children with a CIN plan open at M1 (a plan ending on M1 is no longer open), once each
    select distinct la_code, period_end, child_id
    from (select
    periods.la_code,
    periods.period_start,
    periods.period_end,
    spells.* except (la_code)
from intermediate.int_periods as periods
inner join cin_plans as spells
    on spells.la_code = periods.la_code
    and spells.start_date <= periods.period_end
    and (spells.end_date is null or spells.end_date > periods.period_end)
where periods.period_type = 'month')
),

cin_plan_open as (
    select
    periods.la_code,
    'CIN_PLAN_OPEN' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    cast(null as bigint) as numerator,
    cast(null as bigint) as denominator,
    cast(count(members.child_id) as double) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join on_cin_plan as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
)

select * from cin_plan_open
  
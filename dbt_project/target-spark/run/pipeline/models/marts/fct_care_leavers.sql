
  
    
        create table marts.fct_care_leavers
      
      
      
      
      
      
      
      

      as
      -- Care leavers family (indicators.md, "Care leavers"): CL_IN_TOUCH, CL_SUITABLE_ACCOM, CL_EET,
-- each a percentage of the cohort aged 19-21 at M1 (int_care_leaver_cohort).
with cohort as (
    select
        *,
        in_touch = 'YES' as is_in_touch,
        -- accommodation codes: second character 1 = suitable, 2 = unsuitable; 0 = not known
        substr(accommodation, 2, 1) = '1' as is_suitably_accommodated,
        -- activity codes starting F (full time) or P (part time) are in education, employment or training
        left(activity, 1) in ('F', 'P') as is_eet
    from intermediate.int_care_leaver_cohort
),

cl_in_touch as (
    select
    periods.la_code,
    'CL_IN_TOUCH' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_in_touch, false)) as numerator,
    count(members.child_id) filter (where coalesce(true, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_in_touch, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(true, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join cohort as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cl_suitable_accom as (
    select
    periods.la_code,
    'CL_SUITABLE_ACCOM' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_suitably_accommodated, false)) as numerator,
    count(members.child_id) filter (where coalesce(true, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_suitably_accommodated, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(true, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join cohort as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
),

cl_eet as (
    select
    periods.la_code,
    'CL_EET' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    'all' as dimension,
    'all' as dimension_value,
    count(members.child_id) filter (where coalesce(is_eet, false)) as numerator,
    count(members.child_id) filter (where coalesce(true, false)) as denominator,
    cast(100 * count(members.child_id) filter (where coalesce(is_eet, false)) as double)
        / nullif(count(members.child_id) filter (where coalesce(true, false)), 0) as value
from (
    select int_periods.*
    from intermediate.int_periods as int_periods
    where int_periods.period_type = 'month'
) as periods
left join cohort as members
    on members.la_code = periods.la_code
    and members.period_end = periods.period_end
group by all
)

select * from cl_in_touch
union all
select * from cl_suitable_accom
union all
select * from cl_eet
  
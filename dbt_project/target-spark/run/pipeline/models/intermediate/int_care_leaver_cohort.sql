
  
    
        create table intermediate.int_care_leaver_cohort
      
      
      
      
      
      
      
      

      as
      -- The care leaver cohort as at the last day M1 of each reported month (indicators.md, "Care
-- leavers"): care_leavers rows whose child is aged 19, 20 or 21 at M1 (completed years, so a
-- 19th birthday on M1 is in and a 22nd birthday on M1 is out), excluding in_touch = DIED.
-- care_leavers holds each young person's latest status, which is used for every month.
select
    periods.la_code,
    periods.period_end,
    care_leavers.child_id,
    care_leavers.in_touch,
    care_leavers.activity,
    care_leavers.accommodation,
    (year(periods.period_end) - year(children.date_of_birth)
        - case
            when month(periods.period_end) < month(children.date_of_birth)
                or (month(periods.period_end) = month(children.date_of_birth) and day(periods.period_end) < day(children.date_of_birth))
            then 1 else 0
        end) as age
from intermediate.int_periods as periods
inner join staging.stg_care_leavers as care_leavers
    on care_leavers.la_code = periods.la_code
inner join staging.stg_children as children
    on children.la_code = care_leavers.la_code
    and children.child_id = care_leavers.child_id
where periods.period_type = 'month'
    and care_leavers.in_touch <> 'DIED'
    and (year(periods.period_end) - year(children.date_of_birth)
        - case
            when month(periods.period_end) < month(children.date_of_birth)
                or (month(periods.period_end) = month(children.date_of_birth) and day(periods.period_end) < day(children.date_of_birth))
            then 1 else 0
        end) between 19 and 21
  
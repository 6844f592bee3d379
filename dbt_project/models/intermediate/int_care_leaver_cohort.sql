-- The care leavers as at the last day M1 of each reported month (indicators.md, "Care leavers";
-- care.md C.7): care_leavers rows whose child is aged 17 to 21 at M1 (completed years, so a 17th
-- birthday on M1 is in and a 22nd birthday on M1 is out), excluding in_touch = DIED. The CL_* cohort
-- is the rows aged 19-21, CL_EET_17_18's those aged 17-18 (fct_care_leavers).
-- care_leavers holds each young person's latest status, which is used for every month.
select
    periods.la_code,
    periods.period_end,
    care_leavers.child_id,
    care_leavers.in_touch,
    care_leavers.activity,
    care_leavers.accommodation,
    {{ age_in_years('children.date_of_birth', 'periods.period_end') }} as age
from {{ ref('int_periods') }} as periods
inner join {{ ref('stg_care_leavers') }} as care_leavers
    on care_leavers.la_code = periods.la_code
inner join {{ ref('stg_children') }} as children
    on children.la_code = care_leavers.la_code
    and children.child_id = care_leavers.child_id
where periods.period_type = 'month'
    and care_leavers.in_touch <> 'DIED'
    and {{ age_in_years('children.date_of_birth', 'periods.period_end') }} between 17 and 21

-- Assessments family (indicators.md, "Assessments"; practice.md section 4): ASM_COMPLETED (also by
-- assessment_outcome and asm_duration_wd), ASM_RATE, ASM_45WD, ASM_SEEN_5WD, ASM_TO_CIN, ASM_OVER_60WD,
-- ASM_REPEAT_12M; snapshots ASM_OPEN, ASM_OPEN_OVERDUE.
with assessments as (
    select
        *,
        {{ working_days('start_date', 'authorisation_date') }} as duration_wd
    from {{ ref('stg_assessments') }}
),

repeats as (
    -- the same child has another assessment authorised within 12 months before this one's start
    -- (on or after start_date - 12 months and strictly before start_date)
    select distinct assessments.la_code, assessments.assessment_id
    from assessments
    inner join assessments as earlier
        on earlier.la_code = assessments.la_code
        and earlier.child_id = assessments.child_id
        and earlier.assessment_id <> assessments.assessment_id
        and earlier.authorisation_date < assessments.start_date
        and earlier.authorisation_date >= {{ add_months('assessments.start_date', -12) }}
),

completed as (
    -- an assessment counts in the period of its authorisation_date; ongoing ones (null) never do
    select
        assessments.la_code,
        assessments.authorisation_date as event_date,
        assessments.duration_wd <= 45 as is_within_45wd,
        assessments.duration_wd >= 61 as is_over_60wd,
        -- seen on or after the start (a date before it is not a visit for this assessment)
        {{ within_working_days('assessments.start_date', 'assessments.child_seen_date', 5) }} as is_seen_within_5wd,
        assessments.outcome = 'CIN_PLAN' as is_cin_plan,
        repeats.assessment_id is not null as is_repeat,
        coalesce(assessments.outcome, 'UNKNOWN') as outcome_value,
        {{ duration_band('assessments.duration_wd') }} as duration_band
    from assessments
    left join repeats
        on repeats.la_code = assessments.la_code
        and repeats.assessment_id = assessments.assessment_id
    where assessments.authorisation_date is not null
),

completed_by_outcome as (
    select *, outcome_value as dimension_value from completed
),

completed_by_duration as (
    select *, duration_band as dimension_value from completed
),

open_assessments as (
    -- in progress at M1: started and not authorised by M1; counted as assessments, not children
    select *, {{ working_days('start_date', 'period_end') }} > 45 as is_overdue
    from ({{ open_at_month_end('(select la_code, child_id, start_date, authorisation_date as end_date from assessments)') }}) as open_at_m1
),

asm_completed as (
    {{ flow_indicator('completed', 'ASM_COMPLETED', 'count') }}
),

asm_completed_by_outcome as (
    {{ flow_indicator('completed_by_outcome', 'ASM_COMPLETED', 'count', dimension='assessment_outcome',
                      dimension_values=code_list_or('assessment_outcome', 'UNKNOWN')) }}
),

asm_completed_by_duration as (
    {{ flow_indicator('completed_by_duration', 'ASM_COMPLETED', 'count', dimension='asm_duration_wd',
                      dimension_values=duration_bands()) }}
),

asm_rate as (
    {{ rate_per_10k('asm_completed', 'ASM_RATE') }}
),

asm_45wd as (
    -- of ASM_COMPLETED, those with wd(start_date, authorisation_date) <= 45
    {{ flow_indicator('completed', 'ASM_45WD', 'percent', numerator='is_within_45wd') }}
),

asm_seen_5wd as (
    -- of ASM_COMPLETED, those whose child was seen within 5 working days of the start
    {{ flow_indicator('completed', 'ASM_SEEN_5WD', 'percent', numerator='is_seen_within_5wd') }}
),

asm_to_cin as (
    {{ flow_indicator('completed', 'ASM_TO_CIN', 'percent', numerator='is_cin_plan') }}
),

asm_over_60wd as (
    {{ flow_indicator('completed', 'ASM_OVER_60WD', 'percent', numerator='is_over_60wd') }}
),

asm_repeat_12m as (
    {{ flow_indicator('completed', 'ASM_REPEAT_12M', 'percent', numerator='is_repeat') }}
),

asm_open as (
    {{ snapshot_indicator('open_assessments', 'ASM_OPEN') }}
),

asm_open_overdue as (
    -- of ASM_OPEN, those already past 45 working days at M1
    {{ snapshot_indicator('open_assessments', 'ASM_OPEN_OVERDUE', 'percent', numerator='is_overdue') }}
)

select * from asm_completed
union all
select * from asm_completed_by_outcome
union all
select * from asm_completed_by_duration
union all
select * from asm_rate
union all
select * from asm_45wd
union all
select * from asm_seen_5wd
union all
select * from asm_to_cin
union all
select * from asm_over_60wd
union all
select * from asm_repeat_12m
union all
select * from asm_open
union all
select * from asm_open_overdue

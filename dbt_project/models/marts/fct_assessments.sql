-- Assessments family (indicators.md, "Assessments"): ASM_COMPLETED, ASM_RATE, ASM_45WD, ASM_SEEN_5WD.
with completed as (
    -- an assessment counts in the period of its authorisation_date; ongoing ones (null) never do
    select
        la_code,
        authorisation_date as event_date,
        {{ working_days('start_date', 'authorisation_date') }} <= 45 as is_within_45wd,
        -- seen on or after the start (a date before it is not a visit for this assessment)
        child_seen_date >= start_date
            and {{ working_days('start_date', 'child_seen_date') }} <= 5 as is_seen_within_5wd
    from {{ ref('stg_assessments') }}
    where authorisation_date is not null
),

asm_completed as (
    {{ flow_indicator('completed', 'ASM_COMPLETED', 'count') }}
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
)

select * from asm_completed
union all
select * from asm_rate
union all
select * from asm_45wd
union all
select * from asm_seen_5wd

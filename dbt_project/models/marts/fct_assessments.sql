-- Assessments family (indicators.md, "Assessments"): ASM_COMPLETED, ASM_45WD.
with completed as (
    -- an assessment counts in the period of its authorisation_date; ongoing ones (null) never do
    select
        la_code,
        authorisation_date as event_date,
        {{ working_days('start_date', 'authorisation_date') }} <= 45 as is_within_45wd
    from {{ ref('stg_assessments') }}
    where authorisation_date is not null
),

asm_completed as (
    {{ flow_indicator('completed', 'ASM_COMPLETED', 'count') }}
),

completed_within_45wd as (
    select la_code, event_date, is_within_45wd as is_numerator
    from completed
),

asm_45wd as (
    -- of ASM_COMPLETED, those with wd(start_date, authorisation_date) <= 45
    {{ flow_indicator('completed_within_45wd', 'ASM_45WD', 'percent') }}
)

select * from asm_completed
union all by name
select * from asm_45wd

-- Child protection enquiries family (indicators.md, "Child protection enquiries"): STR_COUNT,
-- STR_TO_S47, S47_STARTED, S47_RATE, ICPC_HELD, ICPC_RATE, S47_TO_ICPC, ICPC_15WD.
with strategy_discussions as (
    select la_code, discussion_date as event_date, s47_agreed = 'Y' as is_s47_agreed
    from {{ ref('stg_strategy_discussions') }}
),

s47_starts as (
    select la_code, start_date as event_date
    from {{ ref('stg_s47_enquiries') }}
),

icpcs as (
    -- an enquiry's ICPC counts in the period of icpc_date. An ICPC dated before its enquiry's
    -- start (a warning in the extract contract) is held but has no timeliness.
    select
        la_code,
        icpc_date as event_date,
        icpc_date >= start_date as has_timeliness,
        icpc_date >= start_date and {{ working_days('start_date', 'icpc_date') }} <= 15 as is_within_15wd
    from {{ ref('stg_s47_enquiries') }}
    where icpc_date is not null
),

s47_and_icpcs as (
    -- ChAT C4.18 style ratio of two counts in the same period: ICPCs held / enquiries started,
    -- so the ICPCs need not come from the enquiries started in the period (it can exceed 100)
    select la_code, event_date, true as is_s47_start, false as is_icpc from s47_starts
    union all
    select la_code, event_date, false as is_s47_start, true as is_icpc from icpcs
),

str_count as (
    {{ flow_indicator('strategy_discussions', 'STR_COUNT', 'count') }}
),

str_to_s47 as (
    {{ flow_indicator('strategy_discussions', 'STR_TO_S47', 'percent', numerator='is_s47_agreed') }}
),

s47_started as (
    {{ flow_indicator('s47_starts', 'S47_STARTED', 'count') }}
),

s47_rate as (
    {{ rate_per_10k('s47_started', 'S47_RATE') }}
),

icpc_held as (
    {{ flow_indicator('icpcs', 'ICPC_HELD', 'count') }}
),

icpc_rate as (
    {{ rate_per_10k('icpc_held', 'ICPC_RATE') }}
),

s47_to_icpc as (
    {{ flow_indicator('s47_and_icpcs', 'S47_TO_ICPC', 'percent', numerator='is_icpc', denominator='is_s47_start') }}
),

icpc_15wd as (
    -- of ICPCs held in the period on or after their enquiry's start, those within 15 working days
    {{ flow_indicator('icpcs', 'ICPC_15WD', 'percent', numerator='is_within_15wd', denominator='has_timeliness') }}
)

select * from str_count
union all
select * from str_to_s47
union all
select * from s47_started
union all
select * from s47_rate
union all
select * from icpc_held
union all
select * from icpc_rate
union all
select * from s47_to_icpc
union all
select * from icpc_15wd

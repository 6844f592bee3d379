-- Child protection enquiries family (indicators.md, "Child protection enquiries"; practice.md section 4):
-- STR_COUNT, STR_TO_S47, S47_STARTED, S47_RATE, ICPC_HELD, ICPC_RATE, S47_TO_ICPC, ICPC_15WD, STR_TIMELY,
-- S47_TIMELY, S47_NFA; snapshots STR_OPEN, S47_OPEN, ICPC_AWAITING.
with strategy_discussions as (
    select la_code, discussion_date as event_date, s47_agreed = 'Y' as is_s47_agreed
    from {{ ref('stg_strategy_discussions') }}
),

strategy_records as (
    -- s = the earlier of initiated_date and discussion_date (discussion_date when initiated_date is null);
    -- the clock stops at the completed record, not the meeting
    select
        la_code,
        strategy_id,
        child_id,
        case when initiated_date < discussion_date then initiated_date else discussion_date end as start_date,
        completed_date as end_date
    from {{ ref('stg_strategy_discussions') }}
),

strategy_completions as (
    -- a record completed before s (a warning) has no timeliness; strategy_complete_wd in force on the completion day
    select
        strategy_records.la_code,
        strategy_records.end_date as event_date,
        {{ timeliness_flags('strategy_records.start_date', 'strategy_records.end_date',
                            'cast(strategy_complete_wd.value as integer)') }}
    from strategy_records
    {{ join_la_setting('strategy_complete_wd', 'strategy_records.la_code', 'strategy_records.end_date', 'strategy_complete_wd') }}
    where strategy_records.end_date is not null
),

strategies_open as (
    -- incomplete at M1: s <= M1 and completed_date null or after M1; counted as discussions
    {{ open_at_month_end('strategy_records') }}
),

s47_ends as (
    -- an enquiry counts in the period of its end_date; s47_complete_wd in force on that day. The outcome
    -- is only read once the enquiry has ended (an outcome on an open one is ignored)
    select
        s47.la_code,
        s47.end_date as event_date,
        {{ timeliness_flags('s47.start_date', 's47.end_date', 'cast(s47_complete_wd.value as integer)') }},
        s47.outcome is not null as has_outcome,
        s47.outcome = 'NFA' as is_nfa
    from {{ ref('stg_s47_enquiries') }} as s47
    {{ join_la_setting('s47_complete_wd', 's47.la_code', 's47.end_date', 's47_complete_wd') }}
    where s47.end_date is not null
),

s47_spells as (
    select la_code, s47_id, child_id, start_date, end_date, icpc_date, icpc_not_required, outcome
    from {{ ref('stg_s47_enquiries') }}
),

s47_open as (
    {{ open_at_month_end('s47_spells') }}
),

icpc_awaited as (
    -- ended by M1 with no ICPC yet at M1, and an ICPC to come: outcome ICPC, or no outcome (an absent
    -- outcome column is all null) and icpc_not_required = N (null does not count)
    select
        periods.la_code,
        periods.period_end,
        s47_spells.child_id
    from {{ ref('int_periods') }} as periods
    inner join s47_spells
        on s47_spells.la_code = periods.la_code
        and s47_spells.end_date <= periods.period_end
        and (s47_spells.icpc_date is null or s47_spells.icpc_date > periods.period_end)
    where periods.period_type = 'month'
        and (s47_spells.outcome = 'ICPC' or (s47_spells.outcome is null and s47_spells.icpc_not_required = 'N'))
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
        {{ timeliness_flags('start_date', 'icpc_date', 15) }}
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

str_timely as (
    -- of strategy records completed in the period on or after s, those within strategy_complete_wd
    {{ flow_indicator('strategy_completions', 'STR_TIMELY', 'percent', numerator='is_timely', denominator='has_timeliness') }}
),

str_open as (
    {{ snapshot_indicator('strategies_open', 'STR_OPEN') }}
),

s47_timely as (
    -- of enquiries ended in the period on or after their start, those within s47_complete_wd
    {{ flow_indicator('s47_ends', 'S47_TIMELY', 'percent', numerator='is_timely', denominator='has_timeliness') }}
),

s47_open_count as (
    {{ snapshot_indicator('s47_open', 'S47_OPEN') }}
),

s47_nfa as (
    -- of enquiries ended in the period with an outcome, those with outcome NFA
    {{ flow_indicator('s47_ends', 'S47_NFA', 'percent', numerator='is_nfa', denominator='has_outcome') }}
),

icpc_awaiting as (
    {{ snapshot_indicator('icpc_awaited', 'ICPC_AWAITING') }}
),

icpc_15wd as (
    -- of ICPCs held in the period on or after their enquiry's start, those within 15 working days
    {{ flow_indicator('icpcs', 'ICPC_15WD', 'percent', numerator='is_timely', denominator='has_timeliness') }}
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
union all
select * from str_timely
union all
select * from str_open
union all
select * from s47_timely
union all
select * from s47_open_count
union all
select * from s47_nfa
union all
select * from icpc_awaiting

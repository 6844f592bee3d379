-- Referrals family (indicators.md, "Referrals"; practice.md section 4): REF_COUNT, REF_RATE, REF_REREFERRAL,
-- REF_NFA, REF_TO_ASSESSMENT, REF_ALLOC_2WD; REF_COUNT and REF_TO_ASSESSMENT also by referral_source_group.
with history as (
    select * from {{ ref('int_referral_history') }}
),

assessments as (
    select la_code, assessment_id, child_id, referral_id, start_date
    from {{ ref('stg_assessments') }}
),

-- Linking an assessment to a referral (practice.md section 2): the referral its referral_id names; else the
-- same child's referral with the latest referral_date <= the assessment's start (ties: greatest
-- referral_id), provided that referral is not closed before the start
named_links as (
    select distinct assessments.la_code, assessments.referral_id
    from assessments
    inner join history
        on history.la_code = assessments.la_code
        and history.referral_id = assessments.referral_id
),

latest_before_start as (
    select
        assessments.la_code,
        history.referral_id,
        history.closure_date,
        assessments.start_date
    from assessments
    inner join history
        on history.la_code = assessments.la_code
        and history.child_id = assessments.child_id
        and history.referral_date <= assessments.start_date
    where assessments.referral_id is null
    qualify row_number() over (
        partition by assessments.la_code, assessments.assessment_id
        order by history.referral_date desc, history.referral_id desc) = 1
),

linked as (
    select la_code, referral_id from named_links
    union
    select la_code, referral_id from latest_before_start
    where closure_date is null or closure_date >= start_date
),

-- REF_ALLOC_2WD's day D: the earliest day with wd(referral_date, D) = 2, i.e. the first day whose
-- working-day index is two above the referral date's
second_working_days as (
    select working_day_index, min(date_day) as first_day
    from {{ ref('int_working_days') }}
    group by working_day_index
),

extracts as (
    select la_code, max(extract_date) as extract_date
    from {{ ref('stg_la_extracts') }}
    group by la_code
),

social_worker_allocations as (
    -- practice.md section 2: a named worker who is a social worker; a row ending the day it starts covers no day
    select la_code, child_id, start_date, end_date
    from {{ ref('stg_allocations') }}
    where worker_id is not null
        and worker_role in ('SW', 'ASYE')
        and (end_date is null or end_date > start_date)
),

allocation_due as (
    select
        not_nfa.la_code,
        not_nfa.referral_id,
        not_nfa.child_id,
        not_nfa.referral_date,
        second_working_days.first_day as due_date
    from (
        select la_code, referral_id, child_id, referral_date,
               {{ working_day_index('referral_date') }} as referral_day_index
        from history
        where referral_nfa = 'N'
    ) as not_nfa
    inner join second_working_days
        on second_working_days.working_day_index = not_nfa.referral_day_index + 2
),

allocated_in_time as (
    -- allocated by D and not ended by the referral date: a child already allocated counts
    select distinct allocation_due.la_code, allocation_due.referral_id
    from allocation_due
    inner join social_worker_allocations as allocations
        on allocations.la_code = allocation_due.la_code
        and allocations.child_id = allocation_due.child_id
        and allocations.start_date <= allocation_due.due_date
        and (allocations.end_date is null or allocations.end_date > allocation_due.referral_date)
),

referrals as (
    -- each referral counts in the period of its referral_date
    select
        history.la_code,
        history.referral_date as event_date,
        history.is_rereferral,
        history.referral_nfa = 'Y' as is_nfa,
        linked.referral_id is not null as has_assessment,
        -- a referral whose D is after the extract date cannot be judged yet
        allocation_due.due_date <= extracts.extract_date as is_allocation_due,
        allocation_due.due_date <= extracts.extract_date and allocated_in_time.referral_id is not null
            as is_allocated_in_time,
        {{ source_group('history.referral_source') }} as dimension_value
    from history
    left join linked
        on linked.la_code = history.la_code
        and linked.referral_id = history.referral_id
    left join allocation_due
        on allocation_due.la_code = history.la_code
        and allocation_due.referral_id = history.referral_id
    left join extracts
        on extracts.la_code = history.la_code
    left join allocated_in_time
        on allocated_in_time.la_code = history.la_code
        and allocated_in_time.referral_id = history.referral_id
),

ref_count as (
    {{ flow_indicator('referrals', 'REF_COUNT', 'count') }}
),

ref_count_by_source as (
    {{ flow_indicator('referrals', 'REF_COUNT', 'count', dimension='referral_source_group', dimension_values=source_groups()) }}
),

ref_rate as (
    {{ rate_per_10k('ref_count', 'REF_RATE') }}
),

ref_rereferral as (
    -- of REF_COUNT, those with another referral of the same child in the 12 months before
    {{ flow_indicator('referrals', 'REF_REREFERRAL', 'percent', numerator='is_rereferral') }}
),

ref_nfa as (
    -- of REF_COUNT, those closed with no further action
    {{ flow_indicator('referrals', 'REF_NFA', 'percent', numerator='is_nfa') }}
),

ref_to_assessment as (
    -- of REF_COUNT, those to which an assessment links, whenever it started
    {{ flow_indicator('referrals', 'REF_TO_ASSESSMENT', 'percent', numerator='has_assessment') }}
),

ref_to_assessment_by_source as (
    {{ flow_indicator('referrals', 'REF_TO_ASSESSMENT', 'percent', numerator='has_assessment',
                      dimension='referral_source_group', dimension_values=source_groups()) }}
),

ref_alloc_2wd as (
    -- of referrals not NFA whose D has passed, those whose child had a social worker by D
    {{ flow_indicator('referrals', 'REF_ALLOC_2WD', 'percent', numerator='is_allocated_in_time',
                      denominator='is_allocation_due') }}
)

select * from ref_count
union all
select * from ref_count_by_source
union all
select * from ref_rate
union all
select * from ref_rereferral
union all
select * from ref_nfa
union all
select * from ref_to_assessment
union all
select * from ref_to_assessment_by_source
union all
select * from ref_alloc_2wd

-- Referrals family (indicators.md, "Referrals"): REF_COUNT, REF_RATE, REF_REREFERRAL, REF_NFA.
with referrals as (
    -- each referral counts in the period of its referral_date
    select
        la_code,
        referral_date as event_date,
        is_rereferral,
        referral_nfa = 'Y' as is_nfa
    from {{ ref('int_referral_history') }}
),

ref_count as (
    {{ flow_indicator('referrals', 'REF_COUNT', 'count') }}
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
)

select * from ref_count
union all
select * from ref_rate
union all
select * from ref_rereferral
union all
select * from ref_nfa

-- Referrals family (indicators.md, "Referrals"): REF_COUNT, REF_REREFERRAL.
with referrals as (
    -- each referral counts in the period of its referral_date
    select
        la_code,
        referral_date as event_date,
        is_rereferral as is_numerator
    from {{ ref('int_referral_history') }}
),

ref_count as (
    {{ flow_indicator('referrals', 'REF_COUNT', 'count') }}
),

ref_rereferral as (
    -- of REF_COUNT, those with another referral of the same child in the 12 months before
    {{ flow_indicator('referrals', 'REF_REREFERRAL', 'percent') }}
)

select * from ref_count
union all by name
select * from ref_rereferral

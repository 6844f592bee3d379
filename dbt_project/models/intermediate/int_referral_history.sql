-- Referrals with is_rereferral (indicators.md, REF_REREFERRAL): the same child has another
-- referral "within 12 months before" this one, i.e. with referral_date on or after
-- referral_date - 12 calendar months (2024-02-29 - 12 months = 2023-02-28) and strictly before
-- referral_date. Strictly before: two referrals on the same day are not re-referrals of each other.
-- The nearest earlier referral date decides it, so one window over the child's distinct referral
-- dates replaces a search through all earlier referrals.
with referral_days as (
    select distinct la_code, child_id, referral_date
    from {{ ref('stg_referrals') }}
),

with_previous as (
    select
        la_code,
        child_id,
        referral_date,
        lag(referral_date) over (partition by la_code, child_id order by referral_date) as previous_referral_date
    from referral_days
)

select
    referrals.la_code,
    referrals.referral_id,
    referrals.child_id,
    referrals.referral_date,
    referrals.referral_nfa,
    referrals.referral_source,
    referrals.closure_date,
    coalesce(
        with_previous.previous_referral_date >= cast(referrals.referral_date - interval 12 month as date),
        false
    ) as is_rereferral
from {{ ref('stg_referrals') }} as referrals
inner join with_previous
    on with_previous.la_code = referrals.la_code
    and with_previous.child_id = referrals.child_id
    and with_previous.referral_date = referrals.referral_date

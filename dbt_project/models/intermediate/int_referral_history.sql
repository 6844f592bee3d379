-- Referrals with is_rereferral (indicators.md, REF_REREFERRAL): the same child has another
-- referral "within 12 months before" this one, i.e. with referral_date on or after
-- referral_date - 12 calendar months (2024-02-29 - 12 months = 2023-02-28) and strictly before
-- referral_date. Strictly before: two referrals on the same day are not re-referrals of each other.
select
    referrals.la_code,
    referrals.referral_id,
    referrals.child_id,
    referrals.referral_date,
    referrals.referral_nfa,
    exists (
        select 1
        from {{ ref('stg_referrals') }} as earlier
        where earlier.la_code = referrals.la_code
            and earlier.child_id = referrals.child_id
            and earlier.referral_date >= cast(referrals.referral_date - interval 12 month as date)
            and earlier.referral_date < referrals.referral_date
    ) as is_rereferral
from {{ ref('stg_referrals') }} as referrals


select
    la_code, referral_id,
    count(*) as occurrences
from intermediate.int_referral_history
group by la_code, referral_id
having count(*) > 1

-- strategy_discussions as landed, child_id pseudonymised; lineage columns stay in raw
select
    la_code,
    strategy_id,
    {{ pseudonymise('child_id') }} as child_id,
    referral_id,
    discussion_date,
    s47_agreed,
    initiated_date,
    completed_date
from {{ source('raw', 'strategy_discussions') }}

-- Children open to children's social care (CSC) at the last day M1 of each reported month
-- (practice.md section 2), one row per LA x M1 x child:
--   case_type   CLA if a CLA episode covers M1 (short breaks included, section 7), else CP if a CP
--               plan covers M1, else CIN (a referral with referral_nfa = N covers M1);
--   case_start  the earliest start in the chain of the child's intervals containing one that
--               covers M1, two intervals chaining when they overlap or one starts on the day the
--               other ends.
-- A chain's intervals union into one unbroken span, so the chains are computed once per child
-- (gaps and islands) rather than per month end.
with intervals as (
    select la_code, child_id, 1 as case_rank, referral_date as start_date, closure_date as end_date
    from {{ ref('stg_referrals') }}
    where referral_nfa = 'N'
    union all
    select la_code, child_id, 2 as case_rank, start_date, end_date
    from {{ ref('stg_cp_plans') }}
    union all
    select la_code, child_id, 3 as case_rank, start_date, end_date
    from {{ ref('stg_cla_episodes') }}
),

reach as (
    -- the furthest end (null = open, as 9999-12-31) of the child's intervals starting before this one
    select
        intervals.*,
        max(coalesce(end_date, date '9999-12-31')) over (
            partition by la_code, child_id order by start_date, end_date
            rows between unbounded preceding and 1 preceding
        ) as earlier_reach
    from intervals
),

chains as (
    -- a new chain starts where an interval begins after everything before it has ended
    select
        reach.*,
        sum(case when earlier_reach is null or start_date > earlier_reach then 1 else 0 end) over (
            partition by la_code, child_id order by start_date, end_date
            rows between unbounded preceding and current row
        ) as chain
    from reach
),

spells as (
    select
        la_code, child_id, case_rank, start_date, end_date,
        min(start_date) over (partition by la_code, child_id, chain) as case_start
    from chains
),

open_spells as (
    {{ open_at_month_end('spells') }}
)

select
    la_code,
    period_start,
    period_end,
    child_id,
    case max(case_rank) when 3 then 'CLA' when 2 then 'CP' else 'CIN' end as case_type,
    min(case_start) as case_start
from open_spells
group by la_code, period_start, period_end, child_id

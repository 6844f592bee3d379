-- workforce_posts as landed: worker_id pseudonymised in the staff domain (practice.md 1.4), team
-- normalised (section 2), fte exact to two decimals and in hundredths (centi-FTE, the unit FTE sums
-- are published in), the flags' defaults applied (newly_qualified null = N; case_holding null = Y
-- for role SW, else N); lineage columns stay in raw
select
    la_code,
    as_at_date,
    post_id,
    {{ normalise_whitespace('team') }} as team,
    role,
    cast(fte as decimal(5, 2)) as fte,
    cast(round(cast(fte as decimal(5, 2)) * 100) as integer) as fte_centi,
    established,
    status,
    {{ pseudonymise_worker('worker_id') }} as worker_id,
    coalesce(newly_qualified, 'N') as newly_qualified,
    coalesce(case_holding, case when role = 'SW' then 'Y' else 'N' end) as case_holding
from {{ source('raw', 'workforce_posts') }}

-- Workforce family (practice.md section 4, "Allocations and caseloads" and "Workforce"): month
-- snapshots as at M1. Children (snapshot_indicator): ALL_UNALLOCATED (also by case_type and team),
-- ALL_STABLE_12M (also by case_type). Workers and posts (staff_snapshot_indicator, null on fewer
-- than 3, section 1.4): ALL_CASELOAD_AVG and ALL_OVER_CASELOAD (also by team and worker_role),
-- WF_PERMANENT_PCT, WF_AGENCY_PCT, WF_VACANT_PCT (also by team), WF_CASELOAD_FTE (also by team
-- and newly_qualified). Besides the common columns, numerator_members / denominator_members: the
-- workers or posts a staff cell rests on (null for the child-based rows), read by
-- indicator_values_shareable's small-number rule and never published.
{%- set case_types = csc_case_types() %}
with allocations as (
    -- a row with end_date <= start_date covers no day and is ignored everywhere (section 2)
    select *, worker_id is not null and worker_role in ('SW', 'ASYE') as is_social_worker
    from {{ ref('stg_allocations') }}
    where end_date is null or end_date > start_date
),

covering as (
    -- allocations rows covering each M1
    {{ open_at_month_end('allocations') }}
),

open_cases as (
    select * from {{ ref('int_csc_month_end') }}
),

child_allocation as (
    -- per child at M1: allocated (a social-worker allocation covers M1) and the team of the covering
    -- row with the latest start_date, ties the greatest allocation_id (any row, team-only included)
    select
        la_code, period_end, child_id,
        max(case when is_social_worker then 1 else 0 end) = 1 as is_allocated,
        {{ first_by('team', ['start_date', 'allocation_id'], descending=true) }} as team
    from covering
    group by la_code, period_end, child_id
),

workers_in_12_months as (
    -- distinct social workers holding the child's case at some time in (M1 - 12 months, M1]
    select open_cases.la_code, open_cases.period_end, open_cases.child_id,
           count(distinct allocations.worker_id) as workers
    from open_cases
    inner join allocations
        on allocations.la_code = open_cases.la_code
        and allocations.child_id = open_cases.child_id
        and allocations.is_social_worker
        and allocations.start_date <= open_cases.period_end
        and (allocations.end_date is null
            or allocations.end_date > {{ add_months('open_cases.period_end', -12) }})
    group by open_cases.la_code, open_cases.period_end, open_cases.child_id
),

children as (
    select
        open_cases.*,
        not coalesce(child_allocation.is_allocated, false) as is_unallocated,
        coalesce(child_allocation.team, '(none)') as team,
        open_cases.case_start <= {{ add_months('open_cases.period_end', -12) }} as is_open_12m,
        coalesce(workers_in_12_months.workers, 0) = 1 as has_one_worker
    from open_cases
    left join child_allocation
        on child_allocation.la_code = open_cases.la_code
        and child_allocation.period_end = open_cases.period_end
        and child_allocation.child_id = open_cases.child_id
    left join workers_in_12_months
        on workers_in_12_months.la_code = open_cases.la_code
        and workers_in_12_months.period_end = open_cases.period_end
        and workers_in_12_months.child_id = open_cases.child_id
),

unallocated as (
    select *, case_type as by_case_type from children where is_unallocated
),

workers as (
    -- per worker at M1: caseload (distinct children of covering social-worker allocations, >= 1 by
    -- construction), team and role of the worker's covering row with the latest start_date (ties:
    -- the greatest allocation_id), and the LA's caseload_high at M1
    select
        covering.la_code, covering.period_end, covering.worker_id,
        count(distinct case when covering.is_social_worker then covering.child_id end) as caseload,
        {{ first_by('covering.team', ['covering.start_date', 'covering.allocation_id'], descending=true) }} as team,
        {{ first_by('covering.worker_role', ['covering.start_date', 'covering.allocation_id'], descending=true) }} as worker_role,
        any_value(cast(settings.value as integer)) as caseload_high
    from covering
    {{ join_la_setting('caseload_high', 'covering.la_code', 'covering.period_end', 'settings') }}
    where covering.worker_id is not null
    group by covering.la_code, covering.period_end, covering.worker_id
    having count(distinct case when covering.is_social_worker then covering.child_id end) >= 1
),

snapshot_dates as (
    -- the workforce snapshot for month M: the latest as_at_date within [M0, M1]
    select periods.la_code, periods.period_end, max(posts.as_at_date) as as_at_date
    from {{ ref('int_periods') }} as periods
    inner join {{ ref('stg_workforce_posts') }} as posts
        on posts.la_code = periods.la_code
        and posts.as_at_date between periods.period_start and periods.period_end
    where periods.period_type = 'month'
    group by periods.la_code, periods.period_end
),

snapshot_posts as (
    select snapshot_dates.period_end, posts.*
    from snapshot_dates
    inner join {{ ref('stg_workforce_posts') }} as posts
        on posts.la_code = snapshot_dates.la_code
        and posts.as_at_date = snapshot_dates.as_at_date
),

established as (
    -- E: the month's established posts
    select *, team as dimension_value from snapshot_posts where established = 'Y'
),

case_holder_rows as (
    select * from snapshot_posts
    where role = 'SW' and status in ('PERMANENT', 'AGENCY') and case_holding = 'Y'
),

caseloads_at_snapshot as (
    -- each case holder's caseload at the snapshot's as_at_date (not M1)
    select case_holders.la_code, case_holders.period_end, case_holders.worker_id,
           count(distinct allocations.child_id) as caseload
    from (select distinct la_code, period_end, as_at_date, worker_id from case_holder_rows) as case_holders
    inner join allocations
        on allocations.la_code = case_holders.la_code
        and allocations.worker_id = case_holders.worker_id
        and allocations.is_social_worker
        and allocations.start_date <= case_holders.as_at_date
        and (allocations.end_date is null or allocations.end_date > case_holders.as_at_date)
    group by case_holders.la_code, case_holders.period_end, case_holders.worker_id
),

newly_qualified as (
    -- Y if any of the worker's snapshot rows says so
    select la_code, period_end, worker_id, max(newly_qualified) as newly_qualified
    from snapshot_posts
    where worker_id is not null
    group by la_code, period_end, worker_id
),

case_holders as (
    -- one row per case holder: both FTEs of a worker holding two part posts, one caseload
    -- (section 7); team of their case-holder row with the largest fte, ties the smallest post_id
    select
        rows.la_code, rows.period_end, rows.worker_id,
        sum(rows.fte_centi) as fte_centi,
        {{ first_by('rows.team', ['-rows.fte_centi', 'rows.post_id']) }} as team,
        any_value(coalesce(caseloads.caseload, 0)) as caseload,
        any_value(newly_qualified.newly_qualified) as newly_qualified
    from case_holder_rows as rows
    left join caseloads_at_snapshot as caseloads
        on caseloads.la_code = rows.la_code
        and caseloads.period_end = rows.period_end
        and caseloads.worker_id = rows.worker_id
    inner join newly_qualified
        on newly_qualified.la_code = rows.la_code
        and newly_qualified.period_end = rows.period_end
        and newly_qualified.worker_id = rows.worker_id
    group by rows.la_code, rows.period_end, rows.worker_id
),

all_unallocated as (
    {{ snapshot_indicator('unallocated', 'ALL_UNALLOCATED') }}
),

all_unallocated_by_case_type as (
    {{ snapshot_indicator('(select *, case_type as dimension_value from unallocated)', 'ALL_UNALLOCATED',
                          dimension='case_type', dimension_values=value_list(case_types)) }}
),

all_unallocated_by_team as (
    {{ snapshot_indicator('(select *, team as dimension_value from unallocated)', 'ALL_UNALLOCATED',
                          dimension='team', dimension_values='present') }}
),

all_stable_12m as (
    {{ snapshot_indicator('children', 'ALL_STABLE_12M', 'percent',
                          numerator='is_open_12m and has_one_worker', denominator='is_open_12m') }}
),

all_stable_12m_by_case_type as (
    {{ snapshot_indicator('(select *, case_type as dimension_value from children)', 'ALL_STABLE_12M', 'percent',
                          numerator='is_open_12m and has_one_worker', denominator='is_open_12m',
                          dimension='case_type', dimension_values=value_list(case_types)) }}
),

{%- set caseload_cells = [('all', none, 'team'), ('team', 'present', 'team'),
                          ('worker_role', value_list(['SW', 'ASYE']), 'worker_role')] %}
{%- for dimension, values, column in caseload_cells %}

all_caseload_avg_{{ loop.index }} as (
    {{ staff_snapshot_indicator('(select *, ' ~ column ~ ' as dimension_value from workers)', 'ALL_CASELOAD_AVG',
                                'average', numerator_sum='caseload', denominator_sum='1',
                                dimension=dimension, dimension_values=values) }}
),

all_over_caseload_{{ loop.index }} as (
    {{ staff_snapshot_indicator('(select *, ' ~ column ~ ' as dimension_value from workers)', 'ALL_OVER_CASELOAD',
                                'percent', numerator_sum='1', denominator_sum='1',
                                numerator_where='caseload > caseload_high',
                                dimension=dimension, dimension_values=values) }}
),
{%- endfor %}

{%- set post_status = [('WF_PERMANENT_PCT', 'PERMANENT'), ('WF_AGENCY_PCT', 'AGENCY'), ('WF_VACANT_PCT', 'VACANT')] %}
{%- for indicator_id, status in post_status %}
{%- for dimension, values in [('all', none), ('team', 'present')] %}

{{ indicator_id | lower }}_{{ loop.index }} as (
    {{ staff_snapshot_indicator('established', indicator_id, 'percent',
                                numerator_sum='fte_centi', denominator_sum='fte_centi',
                                numerator_where="status = '" ~ status ~ "'",
                                dimension=dimension, dimension_values=values) }}
),
{%- endfor %}
{%- endfor %}

{%- set fte_cells = [('all', none, 'team'), ('team', 'present', 'team'),
                     ('newly_qualified', value_list(['Y', 'N']), 'newly_qualified')] %}
{%- for dimension, values, column in fte_cells %}

wf_caseload_fte_{{ loop.index }} as (
    -- value = numerator / (denominator / 100): the denominator is in centi-FTE
    {{ staff_snapshot_indicator('(select *, ' ~ column ~ ' as dimension_value from case_holders)', 'WF_CASELOAD_FTE',
                                'average', numerator_sum='caseload', denominator_sum='fte_centi', scale=100,
                                dimension=dimension, dimension_values=values) }}
){{ "," if not loop.last }}
{%- endfor %}

{%- set child_cells = ['all_unallocated', 'all_unallocated_by_case_type', 'all_unallocated_by_team',
                       'all_stable_12m', 'all_stable_12m_by_case_type'] %}
{%- set staff_cells = [] %}
{%- for i in [1, 2, 3] %}{% do staff_cells.extend(['all_caseload_avg_' ~ i, 'all_over_caseload_' ~ i, 'wf_caseload_fte_' ~ i]) %}{% endfor %}
{%- for indicator_id, status in post_status %}{% for i in [1, 2] %}{% do staff_cells.append((indicator_id | lower) ~ '_' ~ i) %}{% endfor %}{% endfor %}
{%- for cte in child_cells %}
select *, cast(null as bigint) as numerator_members, cast(null as bigint) as denominator_members from {{ cte }}
union all
{%- endfor %}
{%- for cte in staff_cells %}
select * from {{ cte }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}

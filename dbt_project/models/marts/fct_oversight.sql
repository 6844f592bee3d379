-- Management oversight family (practice.md section 4, "Management oversight"): month snapshots as
-- at M1 of the children open to CSC (int_csc_month_end). SUP_OPEN_CASES, also by case_type,
-- supervision_band and case_type|supervision_band (written 'CP|1_2m'); SUP_WITHIN_1M, also by
-- case_type.
{%- set case_types = csc_case_types() %}
{%- set bands = ['within_1m', '1_2m', '2_3m', '3_6m', 'over_6m', 'never_new', 'never'] %}
with open_cases as (
    select * from {{ ref('int_csc_month_end') }}
),

counted as (
    -- records counted as supervision at M1: CASE_SUPERVISION, and MGMT_OVERSIGHT where the LA's
    -- oversight_counts_as_supervision is Y at M1 (a snapshot's settings date)
    select open_cases.la_code, open_cases.period_end, open_cases.child_id,
           max(supervisions.supervision_date) as last_supervision
    from open_cases
    inner join {{ ref('stg_supervisions') }} as supervisions
        on supervisions.la_code = open_cases.la_code
        and supervisions.child_id = open_cases.child_id
        and supervisions.supervision_date between open_cases.case_start and open_cases.period_end
    {{ join_la_setting('oversight_counts_as_supervision', 'open_cases.la_code', 'open_cases.period_end', 'settings') }}
    where supervisions.type = 'CASE_SUPERVISION'
        or (supervisions.type = 'MGMT_OVERSIGHT' and settings.value = 'Y')
    group by open_cases.la_code, open_cases.period_end, open_cases.child_id
),

banded as (
    -- the supervision band of section 4 ("Supervision band"), months by add_months' clamping
    select
        open_cases.*,
        case
            when s is null and open_cases.case_start >= {{ add_months('open_cases.period_end', -1) }} then 'never_new'
            when s is null then 'never'
            when s >= {{ add_months('open_cases.period_end', -1) }} then 'within_1m'
            when s >= {{ add_months('open_cases.period_end', -2) }} then '1_2m'
            when s >= {{ add_months('open_cases.period_end', -3) }} then '2_3m'
            when s >= {{ add_months('open_cases.period_end', -6) }} then '3_6m'
            else 'over_6m'
        end as supervision_band
    from (
        select open_cases.*, counted.last_supervision as s
        from open_cases
        left join counted
            on counted.la_code = open_cases.la_code
            and counted.period_end = open_cases.period_end
            and counted.child_id = open_cases.child_id
    ) as open_cases
),

members as (
    select
        banded.*,
        supervision_band = 'within_1m' as is_within_1m,
        case_type as by_case_type,
        case_type || '|' || supervision_band as by_case_type_band
    from banded
),

sup_open_cases as (
    {{ snapshot_indicator('members', 'SUP_OPEN_CASES') }}
),

sup_open_cases_by_case_type as (
    {{ snapshot_indicator('(select *, by_case_type as dimension_value from members)', 'SUP_OPEN_CASES',
                          dimension='case_type', dimension_values=value_list(case_types)) }}
),

sup_open_cases_by_band as (
    {{ snapshot_indicator('(select *, supervision_band as dimension_value from members)', 'SUP_OPEN_CASES',
                          dimension='supervision_band', dimension_values=value_list(bands)) }}
),

sup_open_cases_by_case_type_band as (
    {%- set pairs = [] %}
    {%- for case_type in case_types %}{% for band in bands %}{% do pairs.append(case_type ~ '|' ~ band) %}{% endfor %}{% endfor %}
    {{ snapshot_indicator('(select *, by_case_type_band as dimension_value from members)', 'SUP_OPEN_CASES',
                          dimension='case_type|supervision_band', dimension_values=value_list(pairs)) }}
),

sup_within_1m as (
    {{ snapshot_indicator('members', 'SUP_WITHIN_1M', 'percent', numerator='is_within_1m') }}
),

sup_within_1m_by_case_type as (
    {{ snapshot_indicator('(select *, by_case_type as dimension_value from members)', 'SUP_WITHIN_1M', 'percent',
                          numerator='is_within_1m', dimension='case_type', dimension_values=value_list(case_types)) }}
)

select * from sup_open_cases
union all
select * from sup_open_cases_by_case_type
union all
select * from sup_open_cases_by_band
union all
select * from sup_open_cases_by_case_type_band
union all
select * from sup_within_1m
union all
select * from sup_within_1m_by_case_type

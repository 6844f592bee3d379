-- Court and pre-proceedings family (care.md C.6): LEG_PLO_STARTED, LEG_PLO_OPEN, LEG_PLO_16WK,
-- LEG_ISSUED, LEG_26WK, LEG_DURATION_WEEKS. Rows are children (siblings in one application are a row
-- each), so the flows count children's proceedings, not applications.
with proceedings as (
    select
        *,
        -- 16 weeks = 112 days from the pre-proceedings meeting
        plo_end_date <= cast(plo_start_date + interval 112 day as date) as is_plo_within_16_weeks,
        -- s32(1)(a): within 26 weeks beginning with the issue day, so day 182 is issue_date + 181
        final_order_date <= cast(issue_date + interval 181 day as date) as is_within_26_weeks,
        {{ days_between('issue_date', 'final_order_date') }} as proceedings_days
    from {{ ref('stg_legal_proceedings') }}
),

plo_started as (
    select la_code, plo_start_date as event_date from proceedings
),

plo_spells as (
    select la_code, child_id, plo_start_date as start_date, plo_end_date as end_date
    from proceedings
    where plo_start_date is not null
),

in_pre_proceedings as (
    -- one row per child in pre-proceedings at M1, however many of its rows are open
    select distinct la_code, period_end, child_id
    from ({{ open_at_month_end('plo_spells') }}) as open_spells
),

plo_ended as (
    select la_code, plo_end_date as event_date, is_plo_within_16_weeks from proceedings
),

issued as (
    select la_code, issue_date as event_date from proceedings
),

concluded as (
    select la_code, final_order_date as event_date, is_within_26_weeks, proceedings_days from proceedings
),

leg_plo_started as (
    {{ flow_indicator('plo_started', 'LEG_PLO_STARTED', 'count') }}
),

leg_plo_open as (
    {{ snapshot_indicator('in_pre_proceedings', 'LEG_PLO_OPEN') }}
),

leg_plo_16wk as (
    {{ flow_indicator('plo_ended', 'LEG_PLO_16WK', 'percent', numerator='is_plo_within_16_weeks') }}
),

leg_issued as (
    {{ flow_indicator('issued', 'LEG_ISSUED', 'count') }}
),

leg_26wk as (
    {{ flow_indicator('concluded', 'LEG_26WK', 'percent', numerator='is_within_26_weeks') }}
),

leg_duration_weeks as (
    {{ flow_indicator('concluded', 'LEG_DURATION_WEEKS', 'weeks', days='proceedings_days') }}
)

select * from leg_plo_started
union all
select * from leg_plo_open
union all
select * from leg_plo_16wk
union all
select * from leg_issued
union all
select * from leg_26wk
union all
select * from leg_duration_weeks

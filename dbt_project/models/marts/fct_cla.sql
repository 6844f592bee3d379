-- Children looked after family (indicators.md, "Children looked after", and care.md C.1, D, F.3):
-- CLA_OPEN (also by placement_type, age_band, sex, legal_status_group, placement_group), CLA_RATE,
-- CLA_STARTED (also by age_band), CLA_CEASED (also by reason_ceased_group), CLA_3PLUS_PLACEMENTS,
-- CLA_STABILITY_LT, CLA_UASC, CLA_SHORT_BREAKS, CLA_FOSTER_PCT, CLA_IFA_PCT, CLA_OWN_PROVISION_PCT,
-- CLA_DOL_OPEN, CLA_DOL_6M.
-- Short breaks (care.md F.3, following the DfE): every count of children looked after is of LAC(M1),
-- the children whose episode open at M1 is not under V3/V4; starts and ceases are of episodes not
-- under V3/V4 (per episode). Short breaks are counted on their own, in CLA_SHORT_BREAKS.
with month_end as (
    -- children with an episode open at M1 (an episode ending on M1 is no longer open), int_cla_month_end
    select * from {{ ref('int_cla_month_end') }}
),

looked_after as (
    -- LAC(M1)
    select
        *,
        age < 16
            and period_of_care_start <= cast(period_end - interval 30 month as date) as is_long_term_cohort,
        placement_start <= cast(period_end - interval 24 month as date) as is_placement_2y,
        placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') as is_foster
    from month_end
    where not is_short_break
),

short_breaks as (
    select * from month_end where is_short_break
),

open_by_placement_type as (
    select *, placement_type as dimension_value from looked_after
),

open_by_age_band as (
    select *, {{ breakdown_group('age_band') }} as dimension_value from looked_after
),

open_by_sex as (
    -- a child without a sex recorded (no children row) is U, so the values partition the total
    select *, coalesce(sex, 'U') as dimension_value from looked_after
),

open_by_legal_status_group as (
    select *, {{ breakdown_group('legal_status_group') }} as dimension_value from looked_after
),

open_by_placement_group as (
    select *, {{ breakdown_group('placement_group') }} as dimension_value from looked_after
),

uasc as (
    select * from looked_after where is_uasc
),

episodes as (
    -- episodes not under a short-break legal status (care.md F.3 and clarification G: per episode)
    select episodes.la_code, episodes.start_date, episodes.reason_new_episode, children.date_of_birth
    from {{ ref('stg_cla_episodes') }} as episodes
    left join {{ ref('stg_children') }} as children
        on children.la_code = episodes.la_code
        and children.child_id = episodes.child_id
    where episodes.legal_status not in ('V3', 'V4')
),

started as (
    select
        la_code,
        start_date as event_date,
        {{ age_in_years('date_of_birth', 'start_date') }} as age
    from episodes
    where reason_new_episode = 'S'
),

started_by_age_band as (
    select *, {{ breakdown_group('age_band') }} as dimension_value from started
),

ceased as (
    select la_code, end_date as event_date, {{ breakdown_group('reason_ceased_group') }} as dimension_value
    from ({{ cla_ceasing_episodes() }}) as ceasing
),

deprivation_orders as (
    -- spells (care.md C.1, choice): a run of the child's orders each starting on or before the day after
    -- the latest end so far (an open order never ends); spell_start is the run's first start
    select *, min(start_date) over (partition by la_code, child_id, spell_seq) as spell_start
    from (
        select *, sum(case when starts_spell then 1 else 0 end) over (
            partition by la_code, child_id order by start_date, dol_id rows between unbounded preceding and current row
        ) as spell_seq
        from (
            select
                la_code, dol_id, child_id, start_date, end_date,
                coalesce(start_date > cast(max(coalesce(end_date, date '9999-12-30')) over (
                    partition by la_code, child_id order by start_date, dol_id
                    rows between unbounded preceding and 1 preceding
                ) + interval 1 day as date), true) as starts_spell
            from {{ ref('stg_deprivation_of_liberty') }}
        ) as flagged
    ) as numbered
),

deprived_of_liberty as (
    -- one row per child with an order open at M1; orders open together belong to one spell
    select
        la_code, period_end, child_id,
        min(spell_start) <= cast(period_end - interval 6 month as date) as is_6_months
    from ({{ open_at_month_end('deprivation_orders') }}) as open_orders
    group by la_code, period_end, child_id
),

cla_open as (
    {{ snapshot_indicator('looked_after', 'CLA_OPEN') }}
),

cla_open_by_placement_type as (
    {{ snapshot_indicator('open_by_placement_type', 'CLA_OPEN', dimension='placement_type', dimension_values=code_list('placement_type')) }}
),

cla_open_by_age_band as (
    {{ snapshot_indicator('open_by_age_band', 'CLA_OPEN', dimension='age_band', dimension_values=breakdown_values('age_band')) }}
),

cla_open_by_sex as (
    {{ snapshot_indicator('open_by_sex', 'CLA_OPEN', dimension='sex', dimension_values=code_list('sex')) }}
),

cla_open_by_legal_status_group as (
    {{ snapshot_indicator('open_by_legal_status_group', 'CLA_OPEN', dimension='legal_status_group', dimension_values=breakdown_values('legal_status_group')) }}
),

cla_open_by_placement_group as (
    {{ snapshot_indicator('open_by_placement_group', 'CLA_OPEN', dimension='placement_group', dimension_values=breakdown_values('placement_group')) }}
),

cla_rate as (
    {{ rate_per_10k('cla_open', 'CLA_RATE') }}
),

cla_started as (
    {{ flow_indicator('started', 'CLA_STARTED', 'count') }}
),

cla_started_by_age_band as (
    -- the flow breakdowns are published for months only: their fytd and r12m cells, chained across
    -- rolling years, let the small cells of the shareable tables be worked out (test_disclosure_control)
    select * from (
        {{ flow_indicator('started_by_age_band', 'CLA_STARTED', 'count', dimension='age_band', dimension_values=breakdown_values('age_band')) }}
    ) as by_age_band
    where period_type = 'month'
),

cla_ceased as (
    {{ flow_indicator('ceased', 'CLA_CEASED', 'count') }}
),

cla_ceased_by_reason as (
    select * from (
        {{ flow_indicator('ceased', 'CLA_CEASED', 'count', dimension='reason_ceased_group', dimension_values=breakdown_values('reason_ceased_group')) }}
    ) as by_reason
    where period_type = 'month'
),

cla_3plus_placements as (
    -- of LAC(M1), those with 3+ placements in the 12 months to M1
    {{ snapshot_indicator('looked_after', 'CLA_3PLUS_PLACEMENTS', 'percent',
                          numerator='placements_in_12_months >= 3') }}
),

cla_stability_lt as (
    -- of LAC(M1) children under 16 looked after for 2.5 years or more, those in their current
    -- placement for 2 years or more
    {{ snapshot_indicator('looked_after', 'CLA_STABILITY_LT', 'percent',
                          numerator='is_long_term_cohort and is_placement_2y',
                          denominator='is_long_term_cohort') }}
),

cla_uasc as (
    {{ snapshot_indicator('uasc', 'CLA_UASC') }}
),

cla_short_breaks as (
    {{ snapshot_indicator('short_breaks', 'CLA_SHORT_BREAKS') }}
),

cla_foster_pct as (
    {{ snapshot_indicator('looked_after', 'CLA_FOSTER_PCT', 'percent', numerator='is_foster') }}
),

cla_ifa_pct as (
    -- unknown providers leave the denominator (care.md C.1, choice)
    {{ snapshot_indicator('looked_after', 'CLA_IFA_PCT', 'percent',
                          numerator="placement_provider in ('PR4', 'PR5') and is_foster",
                          denominator='placement_provider is not null') }}
),

cla_own_provision_pct as (
    {{ snapshot_indicator('looked_after', 'CLA_OWN_PROVISION_PCT', 'percent',
                          numerator="placement_provider = 'PR1'",
                          denominator='placement_provider is not null') }}
),

cla_dol_open as (
    {{ snapshot_indicator('deprived_of_liberty', 'CLA_DOL_OPEN') }}
),

cla_dol_6m as (
    {{ snapshot_indicator('deprived_of_liberty', 'CLA_DOL_6M', 'percent',
                          numerator='is_6_months') }}
)

select * from cla_open
union all
select * from cla_open_by_placement_type
union all
select * from cla_open_by_age_band
union all
select * from cla_open_by_sex
union all
select * from cla_open_by_legal_status_group
union all
select * from cla_open_by_placement_group
union all
select * from cla_rate
union all
select * from cla_started
union all
select * from cla_started_by_age_band
union all
select * from cla_ceased
union all
select * from cla_ceased_by_reason
union all
select * from cla_3plus_placements
union all
select * from cla_stability_lt
union all
select * from cla_uasc
union all
select * from cla_short_breaks
union all
select * from cla_foster_pct
union all
select * from cla_ifa_pct
union all
select * from cla_own_provision_pct
union all
select * from cla_dol_open
union all
select * from cla_dol_6m

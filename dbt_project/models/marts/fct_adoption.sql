-- Adoption family (care.md C.5 and G): ADO_ADOPTED, ADO_CEASED_PCT (scorecard A4), ADO_A10_DAYS,
-- ADO_A20_DAYS, ADO_A2_DAYS. An adoption is an episode ending E11 or E12; its end_date is the
-- adoption date and its period of care P. The cohort of each days indicator is the children adopted
-- in the period (reported month, fytd and r12m: the DfE's 3-year means are the sum of three March
-- fytd numerators over their denominators). The adoption entity feeds the linked row's fields when
-- supplied; without it they are null and PO comes from episodes (ADO_A2_DAYS then has no rows: its
-- catalogue `needs` names adoption).
with adoptions as (
    select la_code, child_id, child_key, period_of_care_seq, end_date as adoption_date
    from {{ ref('int_cla_episodes') }}
    where reason_episode_ceased in ('E11', 'E12') and end_date is not null
),

period_episodes as (
    -- the episodes of each adoption's P, with e0's place in the episode order (e0: P's earliest
    -- episode placed for adoption, A3-A6)
    select
        adoptions.adoption_date,
        episodes.*,
        min(case when episodes.placement_type in ('A3', 'A4', 'A5', 'A6') then episodes.episode_seq end) over (
            partition by episodes.child_key, episodes.period_of_care_seq
        ) as e0_seq
    from adoptions
    inner join {{ ref('int_cla_episodes') }} as episodes
        on episodes.child_key = adoptions.child_key
        and episodes.period_of_care_seq = adoptions.period_of_care_seq
),

adopted_periods as (
    -- where a foster carer's placement began: the latest S, P or T episode before e0 in the episode
    -- order (U, B and L keep the carer); with no e0, P's latest S, P or T episode
    select
        la_code, child_id, child_key, period_of_care_seq, adoption_date,
        min(start_date) filter (where episode_seq = e0_seq) as e0_start,
        min(placement_type) filter (where episode_seq = e0_seq) as e0_placement_type,
        min(e0_seq) = min(episode_seq) as is_e0_first,
        max(start_date) filter (where episode_seq < e0_seq and reason_new_episode in ('S', 'P', 'T')) as carer_start_before_e0,
        max(start_date) filter (where reason_new_episode in ('S', 'P', 'T')) as latest_carer_start,
        min(start_date) filter (where legal_status in ('E1', 'D1')) as episodes_placement_order_date
    from period_episodes
    group by la_code, child_id, child_key, period_of_care_seq, adoption_date
),

linked as (
    -- the linked row: the child's adoption row with the latest decision_date on or before the
    -- adoption date, ties to the greatest adoption_id, reversed or not (choice; none: fields null)
    select
        adopted_periods.*,
        periods_of_care.start_date as period_start,
        periods_of_care.begun_by_s as is_start_known,
        adoption.placement_order_date,
        adoption.matched_date,
        adoption.adopted_by_foster_carer
    from adopted_periods
    {{ join_period_of_care('adopted_periods') }}
    left join {{ ref('stg_adoption') }} as adoption
        on adoption.la_code = adopted_periods.la_code
        and adoption.child_id = adopted_periods.child_id
        and adoption.decision_date <= adopted_periods.adoption_date
    qualify row_number() over (
        partition by adopted_periods.child_key, adopted_periods.period_of_care_seq
        order by adoption.decision_date desc, adoption.adoption_id desc
    ) = 1
),

milestones as (
    -- PO: court authority to place; MI: moved in with the adoptive family, for a foster-carer
    -- adoption (the flag, else e0 "with current foster carer(s)", A3 or A5) the foster placement's start
    select
        *,
        coalesce(placement_order_date, episodes_placement_order_date) as po_date,
        case
            when coalesce(adopted_by_foster_carer = 'Y', e0_placement_type in ('A3', 'A5'))
                then case
                    when e0_start is null then latest_carer_start
                    when is_e0_first then e0_start
                    else carer_start_before_e0
                end
            else e0_start
        end as moved_in_date
    from linked
),

cohort as (
    -- one row per adoption, each measure null outside its cohort (an unknown P start leaves A10 and
    -- A20); the guards come first because greatest() skips a null
    select
        la_code,
        adoption_date as event_date,
        case when is_start_known and moved_in_date is not null
            then {{ days_between('period_start', 'moved_in_date') }} end as a10_days,
        case when is_start_known and po_date is not null
            then greatest(0, {{ days_between('period_start', 'po_date') }}) end as a20_days,
        case when po_date is not null and matched_date is not null and e0_start is not null
            then greatest(0, {{ days_between('po_date', 'matched_date') }}) end as a2_days
    from milestones
),

ceased as (
    -- CLA_CEASED's episodes, the numerator its reason_ceased_group 'adopted'
    select la_code, end_date as event_date, {{ breakdown_group('reason_ceased_group') }} = 'adopted' as is_numerator
    from ({{ cla_ceasing_episodes() }}) as ceasing
),

ado_adopted as (
    {{ flow_indicator('cohort', 'ADO_ADOPTED', 'count') }}
),

ado_ceased_pct as (
    {{ flow_indicator('ceased', 'ADO_CEASED_PCT', 'percent') }}
),

ado_a10_days as (
    {{ flow_indicator('cohort', 'ADO_A10_DAYS', 'days', days='a10_days', denominator='a10_days is not null') }}
),

ado_a20_days as (
    {{ flow_indicator('cohort', 'ADO_A20_DAYS', 'days', days='a20_days', denominator='a20_days is not null') }}
),

ado_a2_days as (
    {{ flow_indicator('cohort', 'ADO_A2_DAYS', 'days', days='a2_days', denominator='a2_days is not null') }}
)

select * from ado_adopted
union all
select * from ado_ceased_pct
union all
select * from ado_a10_days
union all
select * from ado_a20_days
union all
select * from ado_a2_days

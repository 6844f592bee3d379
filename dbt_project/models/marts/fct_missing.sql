-- Missing from home and care family (care.md C.4): MIS_EPISODES, MIS_CHILDREN, MIS_REPEAT,
-- MIS_RHI_OFFERED_72H, MIS_RHI_72H, and each one's looked-after variant MIS_CLA_<rest> counting only
-- the episodes whose child was looked after on start_date (home = an indicator minus its variant).
-- A missing episode is a missing_episodes row (one per child, type and start: stg_missing_episodes)
-- of type M whose child is aged under 18 on start_date; A rows (away) count nowhere, nor do children
-- without a date of birth (their age is unknown).
with episodes as (
    select
        missing.la_code,
        missing.missing_id,
        missing.child_id,
        missing.start_date,
        missing.end_date,
        missing.rhi_offered_date,
        missing.rhi_date,
        {{ age_in_years('children.date_of_birth', 'missing.end_date') }} < 18 as is_under_18_at_return
    from {{ ref('stg_missing_episodes') }} as missing
    inner join {{ ref('stg_children') }} as children
        on children.la_code = missing.la_code
        and children.child_id = missing.child_id
    where missing.missing_type = 'M'
        and {{ age_in_years('children.date_of_birth', 'missing.start_date') }} < 18
),

looked_after as (
    -- episodes whose child was looked after on start_date (care.md A): of the CLA episodes open that
    -- day, the one with the latest start_date, then the greatest episode_id, is not under V3/V4
    select la_code, missing_id
    from (
        select episodes.la_code, episodes.missing_id, cla.legal_status
        from episodes
        inner join {{ ref('stg_cla_episodes') }} as cla
            on cla.la_code = episodes.la_code
            and cla.child_id = episodes.child_id
            and cla.start_date <= episodes.start_date
            and (cla.end_date is null or cla.end_date > episodes.start_date)
        qualify row_number() over (
            partition by episodes.la_code, episodes.missing_id order by cla.start_date desc, cla.episode_id desc
        ) = 1
    ) as open_episodes
    where legal_status not in ('V3', 'V4')
),

flagged as (
    select
        episodes.*,
        looked_after.missing_id is not null as is_looked_after,
        -- o: an interview held implies it was offered, so the earlier of the two dates given
        case
            when episodes.rhi_offered_date is null or episodes.rhi_date < episodes.rhi_offered_date
                then episodes.rhi_date
            else episodes.rhi_offered_date
        end as rhi_first_date
    from episodes
    left join looked_after
        on looked_after.la_code = episodes.la_code
        and looked_after.missing_id = episodes.missing_id
),

started as (
    select la_code, child_id, start_date as event_date, is_looked_after from flagged
),

returned as (
    -- return interviews are timed from the return, so an episode counts in the period of its end_date
    -- (children still missing stay out); 72 hours = end_date to end_date + 3 days, and a date before
    -- the return is never in time (an offer before it fails the episode even if the interview was in time)
    select
        la_code,
        end_date as event_date,
        is_looked_after,
        rhi_first_date between end_date and cast(end_date + interval 3 day as date) as is_offered_in_time,
        rhi_date between end_date and cast(end_date + interval 3 day as date) as is_held_in_time
    from flagged
    where is_under_18_at_return
),

{%- for prefix, scope in [('MIS', 'true'), ('MIS_CLA', 'is_looked_after')] %}

{{ prefix | lower }}_started as (
    select * from started where {{ scope }}
),

{{ prefix | lower }}_returned as (
    select * from returned where {{ scope }}
),

{{ prefix | lower }}_episodes as (
    {{ flow_indicator(prefix | lower ~ '_started', prefix ~ '_EPISODES', 'count') }}
),

{{ prefix | lower }}_children as (
    {{ flow_children_indicator(prefix | lower ~ '_started', prefix ~ '_CHILDREN') }}
),

{{ prefix | lower }}_repeat as (
    {{ flow_children_indicator(prefix | lower ~ '_started', prefix ~ '_REPEAT', min_events=2) }}
),

{{ prefix | lower }}_rhi_offered as (
    {{ flow_indicator(prefix | lower ~ '_returned', prefix ~ '_RHI_OFFERED_72H', 'percent', numerator='is_offered_in_time') }}
),

{{ prefix | lower }}_rhi_held as (
    {{ flow_indicator(prefix | lower ~ '_returned', prefix ~ '_RHI_72H', 'percent', numerator='is_held_in_time') }}
){{ "," if loop.first }}
{%- endfor %}

{% for prefix in ['mis', 'mis_cla'] -%}
{%- for part in ['episodes', 'children', 'repeat', 'rhi_offered', 'rhi_held'] -%}
select * from {{ prefix }}_{{ part }}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{%- if not loop.last %}union all
{% endif %}
{%- endfor %}

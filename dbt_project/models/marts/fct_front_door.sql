-- Front door family (indicators.md, "Front door"; practice.md section 4): CON_RECEIVED, CON_DECIDED,
-- CON_DECIDED_1WD, CON_DECIDED_24H, CON_TO_REFERRAL, CON_TO_EH; by contact_source_group (all but the two
-- timeliness measures) and CON_DECIDED by contact_outcome (practice.md section 5).
-- Contact and decision times are local datetimes; every definition but CON_DECIDED_24H uses their dates.
with contacts as (
    select
        la_code,
        contact_datetime,
        decision_datetime,
        cast(contact_datetime as date) as contact_date,
        cast(decision_datetime as date) as decision_date,
        outcome,
        {{ source_group('contact_source') }} as source_group
    from {{ ref('stg_contacts') }}
),

received as (
    -- a contact counts in the period of the day it was received
    select la_code, contact_date as event_date, source_group as dimension_value
    from contacts
),

decided as (
    -- the percentages are of contacts decided in the period, whenever they were received
    select
        la_code,
        decision_date as event_date,
        {{ working_days('contact_date', 'decision_date') }} <= 1 as is_within_1wd,
        -- elapsed wall-clock time (practice.md section 2): a decision before the contact (a warning) has none
        decision_datetime >= contact_datetime as has_elapsed_time,
        decision_datetime >= contact_datetime
            and decision_datetime <= contact_datetime + interval 24 hour as is_within_24h,
        outcome = 'REFERRAL' as is_referral,
        outcome = 'EARLY_HELP' as is_early_help,
        source_group,
        coalesce(outcome, 'UNKNOWN') as outcome_value
    from contacts
    where decision_date is not null
),

decided_by_source as (
    select *, source_group as dimension_value from decided
),

decided_by_outcome as (
    select *, outcome_value as dimension_value from decided
),

con_received as (
    {{ flow_indicator('received', 'CON_RECEIVED', 'count') }}
),

con_received_by_source as (
    {{ flow_indicator('received', 'CON_RECEIVED', 'count', dimension='contact_source_group', dimension_values=source_groups()) }}
),

con_decided as (
    {{ flow_indicator('decided', 'CON_DECIDED', 'count') }}
),

con_decided_by_source as (
    {{ flow_indicator('decided_by_source', 'CON_DECIDED', 'count', dimension='contact_source_group', dimension_values=source_groups()) }}
),

con_decided_by_outcome as (
    {{ flow_indicator('decided_by_outcome', 'CON_DECIDED', 'count', dimension='contact_outcome',
                      dimension_values=code_list_or('contact_outcome', 'UNKNOWN')) }}
),

con_decided_1wd as (
    -- wd(contact date, decision date) <= 1: the same day or the next working day
    {{ flow_indicator('decided', 'CON_DECIDED_1WD', 'percent', numerator='is_within_1wd') }}
),

con_decided_24h as (
    -- of contacts decided in the period no earlier than received, those decided within 24:00:00
    {{ flow_indicator('decided', 'CON_DECIDED_24H', 'percent', numerator='is_within_24h', denominator='has_elapsed_time') }}
),

con_to_referral as (
    {{ flow_indicator('decided', 'CON_TO_REFERRAL', 'percent', numerator='is_referral') }}
),

con_to_referral_by_source as (
    {{ flow_indicator('decided_by_source', 'CON_TO_REFERRAL', 'percent', numerator='is_referral',
                      dimension='contact_source_group', dimension_values=source_groups()) }}
),

con_to_eh as (
    {{ flow_indicator('decided', 'CON_TO_EH', 'percent', numerator='is_early_help') }}
),

con_to_eh_by_source as (
    {{ flow_indicator('decided_by_source', 'CON_TO_EH', 'percent', numerator='is_early_help',
                      dimension='contact_source_group', dimension_values=source_groups()) }}
)

select * from con_received
union all
select * from con_received_by_source
union all
select * from con_decided
union all
select * from con_decided_by_source
union all
select * from con_decided_by_outcome
union all
select * from con_decided_1wd
union all
select * from con_decided_24h
union all
select * from con_to_referral
union all
select * from con_to_referral_by_source
union all
select * from con_to_eh
union all
select * from con_to_eh_by_source

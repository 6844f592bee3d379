-- Front door family (indicators.md, "Front door"): CON_RECEIVED, CON_DECIDED_1WD, CON_TO_REFERRAL.
-- Contact and decision times are local datetimes; every definition uses their dates.
with contacts as (
    select
        la_code,
        cast(contact_datetime as date) as contact_date,
        cast(decision_datetime as date) as decision_date,
        outcome
    from {{ ref('stg_contacts') }}
),

received as (
    -- a contact counts in the period of the day it was received
    select la_code, contact_date as event_date
    from contacts
),

decided as (
    -- the two percentages are of contacts decided in the period, whenever they were received
    select
        la_code,
        decision_date as event_date,
        {{ working_days('contact_date', 'decision_date') }} <= 1 as is_within_1wd,
        outcome = 'REFERRAL' as is_referral
    from contacts
    where decision_date is not null
),

con_received as (
    {{ flow_indicator('received', 'CON_RECEIVED', 'count') }}
),

con_decided_1wd as (
    -- wd(contact date, decision date) <= 1: the same day or the next working day
    {{ flow_indicator('decided', 'CON_DECIDED_1WD', 'percent', numerator='is_within_1wd') }}
),

con_to_referral as (
    {{ flow_indicator('decided', 'CON_TO_REFERRAL', 'percent', numerator='is_referral') }}
)

select * from con_received
union all
select * from con_decided_1wd
union all
select * from con_to_referral

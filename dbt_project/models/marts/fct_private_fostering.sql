-- Private fostering family (care.md C.8): PF_OPEN, PF_STARTED, PF_VISIT_TIMELY. An arrangement is
-- counted from its known start ks, the later of notification_date and start_date (notification_date
-- when start_date is null: the arrangement is deemed to begin when the LA becomes aware of it); one
-- ending before ks counts nowhere.
with known_starts as (
    select
        la_code, pf_id, child_id, notification_date, end_date,
        case when start_date > notification_date then start_date else notification_date end as known_start
    from {{ ref('stg_private_fostering') }}
),

arrangements as (
    select la_code, pf_id, child_id, notification_date, known_start as start_date, end_date
    from known_starts
    where end_date is null or end_date >= known_start
),

fostered as (
    -- one row per child privately fostered at M1, with the earliest notification of its open arrangements
    select la_code, period_end, child_id, min(notification_date) as notification_date
    from ({{ open_at_month_end('arrangements') }}) as open_arrangements
    group by la_code, period_end, child_id
),

last_visits as (
    {{ latest_visit('fostered', ['la_code', 'period_end', 'child_id', 'notification_date'], 'PF', 'notification_date') }}
),

visit_due as (
    -- first visit within 7 working days of notification (reg 4): due WD7(n) >= M1 exactly when
    -- wd(n, M1) <= 7; then every 6 weeks in the first year, every 12 weeks after (reg 8)
    select
        *,
        case
            when last_visit is null then {{ working_days('notification_date', 'period_end') }} <= 7
            when last_visit < cast(notification_date + interval 12 month as date)
                then cast(last_visit + interval 42 day as date) >= period_end
            else cast(last_visit + interval 84 day as date) >= period_end
        end as is_timely
    from last_visits
),

started as (
    select la_code, start_date as event_date from arrangements
),

pf_open as (
    {{ snapshot_indicator('fostered', 'PF_OPEN') }}
),

pf_started as (
    {{ flow_indicator('started', 'PF_STARTED', 'count') }}
),

pf_visit_timely as (
    {{ snapshot_indicator('visit_due', 'PF_VISIT_TIMELY', 'percent', numerator='is_timely') }}
)

select * from pf_open
union all
select * from pf_started
union all
select * from pf_visit_timely

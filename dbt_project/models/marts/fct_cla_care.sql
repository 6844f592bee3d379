-- Care of children looked after (care.md C.2, C.3): reviews (CLA_REVIEWS_HELD, CLA_REVIEW_TIMELY,
-- CLA_REVIEW_PARTICIPATION), visits (CLA_VISIT_TIMELY) and health (CLA_IHA_20WD, CLA_HEALTH_UPTODATE,
-- CLA_DENTAL_UPTODATE, and the annual OC2 snapshots CLA_OC2_HEALTH_CHECK, CLA_OC2_TEETH).
-- Short breaks are outside every cohort here (care.md F.3, clarification G: per episode).
with episodes as (
    select
        *,
        -- the last episode of its period of care (a review on the period's last day belongs to it)
        coalesce(lead(period_of_care_seq) over (partition by child_key order by episode_seq) <> period_of_care_seq,
                 true) as ends_period_of_care
    from {{ ref('int_cla_episodes') }}
),

review_episodes as (
    -- each review with the child's episode open at review_date (start_date <= review_date < end_date, or
    -- review_date = end_date of a period's last episode); overlapping episodes: latest start, then greatest id
    select
        reviews.la_code,
        reviews.review_date,
        reviews.participation,
        episodes.child_key,
        episodes.period_of_care_seq,
        episodes.legal_status
    from {{ ref('stg_cla_reviews') }} as reviews
    inner join episodes
        on episodes.la_code = reviews.la_code
        and episodes.child_id = reviews.child_id
        and episodes.start_date <= reviews.review_date
        and (episodes.end_date is null
            or episodes.end_date > reviews.review_date
            or (episodes.ends_period_of_care and episodes.end_date = reviews.review_date))
    qualify row_number() over (
        partition by reviews.la_code, reviews.child_id, reviews.review_date
        order by episodes.start_date desc, episodes.episode_id desc
    ) = 1
),

reviews_coverage as (
    -- a statutory reviews file (SSDA903) is complete only from covered_from (care.md B.9); native: no row
    select la_code, min(covered_from) as covered_from
    from {{ ref('stg_source_coverage') }}
    where entity = 'cla_reviews' and indicator_id is null and dimension is null
    group by la_code
),

counted_reviews as (
    -- reviews in a period of care outside short breaks, numbered within the period by review_date
    select
        review_episodes.*,
        periods_of_care.start_date as period_of_care_start,
        periods_of_care.begun_by_s,
        reviews_coverage.covered_from,
        row_number() over period_reviews as review_seq,
        lag(review_episodes.review_date) over period_reviews as previous_review_date,
        min(case when review_episodes.review_date >= reviews_coverage.covered_from then review_episodes.review_date end)
            over (partition by review_episodes.child_key, review_episodes.period_of_care_seq) as first_covered_review
    from review_episodes
    {{ join_period_of_care('review_episodes') }}
    left join reviews_coverage
        on reviews_coverage.la_code = review_episodes.la_code
    where review_episodes.legal_status not in ('V3', 'V4')
    window period_reviews as (
        partition by review_episodes.child_key, review_episodes.period_of_care_seq order by review_episodes.review_date
    )
),

reviews as (
    -- due (reg 33): first review WD20(period start), i.e. within 20 working days; second, first + 3
    -- months; each later one, previous + 6 months. Due date unknown: a period with an unknown start,
    -- and, in a period begun before the reviews' covered_from, the earliest review from then on (the
    -- reviews before it are not in the source, so its ordinal is unknown)
    select
        la_code,
        review_date as event_date,
        participation,
        begun_by_s
            and not coalesce(period_of_care_start < covered_from and review_date = first_covered_review, false)
            as is_due_known,
        case
            when review_seq = 1 then {{ working_days('period_of_care_start', 'review_date') }} <= 20
            when review_seq = 2 then review_date <= cast(previous_review_date + interval 3 month as date)
            else review_date <= cast(previous_review_date + interval 6 month as date)
        end as is_timely
    from counted_reviews
),

looked_after as (
    -- LAC(M1), int_cla_month_end
    select * from {{ ref('int_cla_month_end') }} where not is_short_break
),

last_visits as (
    -- children looked after outside adoption placements, with their latest CLA visit in the placement
    {{ latest_visit("(select * from looked_after where placement_type not in ('A3', 'A4', 'A5', 'A6'))",
                    ['la_code', 'period_end', 'child_id', 'placement_start', 'placement_type'], 'CLA', 'placement_start') }}
),

visit_due as (
    -- reg 28(2): 7 days after the placement starts, then 6 weekly in its first year, then 3 monthly for
    -- long-term foster placements (U1, U4; choice) and 6 weekly otherwise
    select
        *,
        case
            when last_visit is null then cast(placement_start + interval 7 day as date)
            when last_visit < cast(placement_start + interval 12 month as date)
                then cast(last_visit + interval 42 day as date)
            when placement_type in ('U1', 'U4') then cast(last_visit + interval 3 month as date)
            else cast(last_visit + interval 42 day as date)
        end >= period_end as is_timely
    from last_visits
),

care_starts as (
    -- periods of care begun by an S episode outside short breaks, with the index of their start's day
    select
        episodes.la_code,
        episodes.child_id,
        episodes.start_date,
        periods_of_care.end_date,
        {{ working_day_index('episodes.start_date') }} as start_index
    from episodes
    {{ join_period_of_care('episodes') }}
    where episodes.starts_period_of_care
        and episodes.reason_new_episode = 'S'
        and episodes.legal_status not in ('V3', 'V4')
),

iha_due as (
    -- D = WD20(start): the day before the 21st working day after the start
    select care_starts.*, cast(calendar.date_day - interval 1 day as date) as due_date
    from care_starts
    inner join {{ ref('int_working_days') }} as calendar
        on calendar.working_day_index = care_starts.start_index + 21
        and calendar.is_working_day
),

iha as (
    -- anchored on the due date, so a missing assessment counts as a miss (choice)
    select
        iha_due.la_code,
        iha_due.due_date as event_date,
        max(case when health.event_date is not null then 1 else 0 end) = 1 as is_numerator
    from iha_due
    left join {{ ref('stg_cla_health') }} as health
        on health.la_code = iha_due.la_code
        and health.child_id = iha_due.child_id
        and health.event_type = 'IHA'
        and health.event_date between iha_due.start_date and iha_due.due_date
    where iha_due.end_date is null or iha_due.end_date >= iha_due.due_date
    group by iha_due.la_code, iha_due.child_id, iha_due.start_date, iha_due.due_date
),

health_status as (
    -- LAC(M1) looked after 12+ months (the earliest known episode when the period's start is unknown)
    select
        looked_after.la_code,
        looked_after.period_end,
        looked_after.child_id,
        max(case
            when health.event_type in ('IHA', 'RHA')
                and health.event_date >= case
                    when looked_after.age < 5 then cast(looked_after.period_end - interval 6 month as date)
                    else cast(looked_after.period_end - interval 12 month as date)
                end
            then 1 else 0
        end) = 1 as is_health_uptodate,
        max(case when health.event_type = 'DENTAL' then 1 else 0 end) = 1 as is_dental_uptodate
    from looked_after
    left join {{ ref('stg_cla_health') }} as health
        on health.la_code = looked_after.la_code
        and health.child_id = looked_after.child_id
        and health.event_date <= looked_after.period_end
        and health.event_date >= cast(looked_after.period_end - interval 12 month as date)
    where looked_after.earliest_known_start <= cast(looked_after.period_end - interval 12 month as date)
    group by looked_after.la_code, looked_after.period_end, looked_after.child_id
),

oc2 as (
    -- the OC2 cohort of a collection year, as at its 31 March (null flags count as not Y)
    select la_code, year_ending as period_end, child_id, health_check = 'Y' as is_health_check, teeth_check = 'Y' as is_teeth_check
    from {{ ref('stg_cla_oc2') }}
),

cla_reviews_held as (
    {{ flow_indicator('reviews', 'CLA_REVIEWS_HELD', 'count') }}
),

cla_review_timely as (
    {{ flow_indicator('reviews', 'CLA_REVIEW_TIMELY', 'percent', numerator='is_due_known and is_timely', denominator='is_due_known') }}
),

cla_review_participation as (
    {{ flow_indicator('reviews', 'CLA_REVIEW_PARTICIPATION', 'percent',
                      numerator="participation in ('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6')",
                      denominator="participation in ('PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7')") }}
),

cla_visit_timely as (
    {{ snapshot_indicator('visit_due', 'CLA_VISIT_TIMELY', 'percent', numerator='is_timely') }}
),

cla_iha_20wd as (
    {{ flow_indicator('iha', 'CLA_IHA_20WD', 'percent') }}
),

cla_health_uptodate as (
    {{ snapshot_indicator('health_status', 'CLA_HEALTH_UPTODATE', 'percent', numerator='is_health_uptodate') }}
),

cla_dental_uptodate as (
    {{ snapshot_indicator('health_status', 'CLA_DENTAL_UPTODATE', 'percent', numerator='is_dental_uptodate') }}
),

cla_oc2_health_check as (
    {{ snapshot_indicator('oc2', 'CLA_OC2_HEALTH_CHECK', 'percent', numerator='is_health_check') }}
),

cla_oc2_teeth as (
    {{ snapshot_indicator('oc2', 'CLA_OC2_TEETH', 'percent', numerator='is_teeth_check') }}
),

oc2_values as (
    -- annual snapshots (care.md A): rows only for the months whose M1 is a year_ending of the LA's OC2 rows
    select * from cla_oc2_health_check
    union all
    select * from cla_oc2_teeth
)

select * from cla_reviews_held
union all
select * from cla_review_timely
union all
select * from cla_review_participation
union all
select * from cla_visit_timely
union all
select * from cla_iha_20wd
union all
select * from cla_health_uptodate
union all
select * from cla_dental_uptodate
union all
select oc2_values.*
from oc2_values
where exists (
    select 1 from oc2 where oc2.la_code = oc2_values.la_code and oc2.period_end = oc2_values.period_end
)

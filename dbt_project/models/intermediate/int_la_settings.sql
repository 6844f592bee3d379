-- value(setting, LA, D) (practice.md section 2, "Settings") as periods: for every LA of this build and
-- every setting, the value in force from valid_from up to (not including) valid_to (null = still in
-- force). On a day D the LA's own row with the latest valid_from <= D wins, else the '*' row chosen the
-- same way; an empty valid_from means since always. Join on la_code, setting and
-- valid_from <= D and (valid_to is null or D < valid_to): flow indicators use the date that places the
-- event in the period, snapshots D = M1.
with las as (
    select distinct la_code from {{ ref('stg_la_extracts') }}
),

settings_rows as (
    select la_code, setting, value, coalesce(valid_from, date '1900-01-01') as valid_from
    from {{ ref('la_settings') }}
),

-- the days an LA's value can change: where one of its own rows or a '*' row starts
change_days as (
    select distinct las.la_code, settings_rows.setting, settings_rows.valid_from
    from las
    inner join settings_rows on settings_rows.la_code = las.la_code or settings_rows.la_code = '*'
),

own as (
    select change_days.la_code, change_days.setting, change_days.valid_from,
           max_by(settings_rows.value, settings_rows.valid_from) as value
    from change_days
    inner join settings_rows
        on settings_rows.la_code = change_days.la_code
        and settings_rows.setting = change_days.setting
        and settings_rows.valid_from <= change_days.valid_from
    group by change_days.la_code, change_days.setting, change_days.valid_from
),

every_la as (
    select change_days.la_code, change_days.setting, change_days.valid_from,
           max_by(settings_rows.value, settings_rows.valid_from) as value
    from change_days
    inner join settings_rows
        on settings_rows.la_code = '*'
        and settings_rows.setting = change_days.setting
        and settings_rows.valid_from <= change_days.valid_from
    group by change_days.la_code, change_days.setting, change_days.valid_from
)

select
    change_days.la_code,
    change_days.setting,
    coalesce(own.value, every_la.value) as value,
    change_days.valid_from,
    lead(change_days.valid_from) over (
        partition by change_days.la_code, change_days.setting order by change_days.valid_from
    ) as valid_to
from change_days
left join own
    on own.la_code = change_days.la_code and own.setting = change_days.setting
    and own.valid_from = change_days.valid_from
left join every_la
    on every_la.la_code = change_days.la_code and every_la.setting = change_days.setting
    and every_la.valid_from = change_days.valid_from

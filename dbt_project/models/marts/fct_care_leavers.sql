-- Care leavers family (indicators.md, "Care leavers"; care.md C.7, D): CL_IN_TOUCH, CL_SUITABLE_ACCOM,
-- CL_EET and CL_IN_TOUCH_SUITABLE, each a percentage of the cohort aged 19-21 at M1, and CL_EET_17_18
-- of those aged 17-18 (int_care_leaver_cohort), each also by single year of age.
with care_leavers as (
    select
        *,
        cast(age as string) as dimension_value,
        in_touch = 'YES' as is_in_touch,
        -- accommodation codes: second character 1 = suitable, 2 = unsuitable; 0 = not known
        substr(accommodation, 2, 1) = '1' as is_suitably_accommodated,
        -- activity codes starting F (full time) or P (part time) are in education, employment or training
        left(activity, 1) in ('F', 'P') as is_eet
    from {{ ref('int_care_leaver_cohort') }}
),

cohort as (
    select * from care_leavers where age between 19 and 21
),

cohort_17_18 as (
    select * from care_leavers where age between 17 and 18
),

{%- set indicators = [
    ('CL_IN_TOUCH', 'cohort', 'is_in_touch', ['19', '20', '21']),
    ('CL_SUITABLE_ACCOM', 'cohort', 'is_suitably_accommodated', ['19', '20', '21']),
    ('CL_EET', 'cohort', 'is_eet', ['19', '20', '21']),
    ('CL_IN_TOUCH_SUITABLE', 'cohort', 'is_in_touch and is_suitably_accommodated', ['19', '20', '21']),
    ('CL_EET_17_18', 'cohort_17_18', 'is_eet', ['17', '18']),
] %}
{%- for indicator_id, members, numerator, ages in indicators %}

{{ indicator_id | lower }} as (
    {{ snapshot_indicator(members, indicator_id, 'percent', numerator=numerator) }}
),

{{ indicator_id | lower }}_by_age as (
    {{ snapshot_indicator(members, indicator_id, 'percent', numerator=numerator,
                          dimension='age', dimension_values=value_list(ages)) }}
){{ "," if not loop.last }}
{%- endfor %}

{% for indicator_id, members, numerator, ages in indicators -%}
select * from {{ indicator_id | lower }}
union all
select * from {{ indicator_id | lower }}_by_age
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

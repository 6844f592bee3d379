-- Care leavers family (indicators.md, "Care leavers"): CL_IN_TOUCH, CL_SUITABLE_ACCOM, CL_EET,
-- each a percentage of the cohort aged 19-21 at M1 (int_care_leaver_cohort).
with cohort as (
    select
        *,
        in_touch = 'YES' as is_in_touch,
        -- accommodation codes: second character 1 = suitable, 2 = unsuitable; 0 = not known
        substr(accommodation, 2, 1) = '1' as is_suitably_accommodated,
        -- activity codes starting F (full time) or P (part time) are in education, employment or training
        left(activity, 1) in ('F', 'P') as is_eet
    from {{ ref('int_care_leaver_cohort') }}
),

cl_in_touch as (
    {{ snapshot_indicator('cohort', 'CL_IN_TOUCH', 'percent', numerator='is_in_touch') }}
),

cl_suitable_accom as (
    {{ snapshot_indicator('cohort', 'CL_SUITABLE_ACCOM', 'percent', numerator='is_suitably_accommodated') }}
),

cl_eet as (
    {{ snapshot_indicator('cohort', 'CL_EET', 'percent', numerator='is_eet') }}
)

select * from cl_in_touch
union all
select * from cl_suitable_accom
union all
select * from cl_eet

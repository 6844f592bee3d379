-- published.indicator_values (warehouse.md): every family's indicator rows, kept only where the
-- LA supplied every entity the catalogue says the indicator needs, so an indicator whose source
-- entity was not supplied has no rows for that LA (never zeros), and only for the periods,
-- indicators and breakdowns a statutory-format source can support (absent, not wrong).
{%- set families = ['fct_front_door', 'fct_referrals', 'fct_assessments', 'fct_cp_enquiries', 'fct_cp_plans',
                     'fct_cin', 'fct_cla', 'fct_care_leavers',
                     'fct_cla_care', 'fct_private_fostering'] %}
with family_values as (
    {%- for family in families %}
    select * from {{ ref(family) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

indicator_needs as (
    select indicator_id, trim(entity) as entity
    from (
        select catalogue.id as indicator_id, {{ split_to_rows('catalogue.needs', ';') }} as entity
        from {{ ref('indicator_catalogue') }} as catalogue
    ) as needs
),

available as (
    -- LA x indicator where none of the needed entities is missing
    select las.la_code, indicator_needs.indicator_id
    from (select distinct la_code from family_values) as las
    cross join indicator_needs
    left join {{ ref('stg_supplied_entities') }} as supplied
        on supplied.la_code = las.la_code
        and supplied.entity = indicator_needs.entity
    group by las.la_code, indicator_needs.indicator_id
    having bool_and(supplied.entity is not null)
)

select
    cast(family_values.la_code as string) as la_code,
    cast(family_values.indicator_id as string) as indicator_id,
    cast(family_values.period_type as string) as period_type,
    cast(family_values.period_start as date) as period_start,
    cast(family_values.period_end as date) as period_end,
    cast(family_values.dimension as string) as dimension,
    cast(family_values.dimension_value as string) as dimension_value,
    cast(family_values.numerator as bigint) as numerator,
    cast(family_values.denominator as bigint) as denominator,
    cast(family_values.value as double) as value
from family_values
inner join available
    on available.la_code = family_values.la_code
    and available.indicator_id = family_values.indicator_id
where not exists (
    -- periods a statutory-format source cannot support (int_uncovered_periods)
    select 1
    from {{ ref('int_uncovered_periods') }} as uncovered
    where uncovered.la_code = family_values.la_code
        and uncovered.indicator_id = family_values.indicator_id
        and uncovered.period_type = family_values.period_type
        and uncovered.period_end = family_values.period_end
        and (uncovered.dimension is null or uncovered.dimension = family_values.dimension)
)

-- published.indicator_values (warehouse.md): every family's indicator rows, kept only where the
-- LA supplied everything the catalogue says the indicator needs, so an indicator whose source
-- entity, or optional column, was not supplied has no rows for that LA (never zeros), and only for
-- the periods, indicators and breakdowns a statutory-format source can support (absent, not wrong).
-- A `needs` item is an entity (supplied: stg_supplied_entities) or entity.column (the entity supplied
-- and its file not lacking the optional column: stg_absent_columns, practice.md section 1).
-- A family may carry columns of its own beyond the common ten (fct_workforce's member counts for
-- the shareable small-number rule): only the common ones are published.
{%- set families = ['fct_front_door', 'fct_referrals', 'fct_assessments', 'fct_cp_enquiries', 'fct_cp_plans',
                     'fct_cin', 'fct_cla', 'fct_care_leavers',
                     'fct_early_help', 'fct_oversight', 'fct_workforce', 'fct_cla_care', 'fct_private_fostering',
                     'fct_missing', 'fct_court',
                     'fct_adoption'] %}
with family_values as (
    {%- for family in families %}
    select la_code, indicator_id, period_type, period_start, period_end, dimension, dimension_value,
        numerator, denominator, value
    from {{ ref(family) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

indicator_needs as (
    select
        indicator_id,
        case when instr(item, '.') > 0 then substr(item, 1, instr(item, '.') - 1) else item end as entity,
        case when instr(item, '.') > 0 then substr(item, instr(item, '.') + 1) end as column_name
    from (
        select indicator_id, trim(item) as item
        from (
            select catalogue.id as indicator_id, {{ split_to_rows('catalogue.needs', ';') }} as item
            from {{ ref('indicator_catalogue') }} as catalogue
        ) as items
    ) as needs
),

available as (
    -- LA x indicator where none of the needed entities or columns is missing
    select las.la_code, indicator_needs.indicator_id
    from (select distinct la_code from family_values) as las
    cross join indicator_needs
    left join {{ ref('stg_supplied_entities') }} as supplied
        on supplied.la_code = las.la_code
        and supplied.entity = indicator_needs.entity
    left join {{ ref('stg_absent_columns') }} as absent
        on absent.la_code = las.la_code
        and absent.entity = indicator_needs.entity
        and absent.column_name = indicator_needs.column_name
    group by las.la_code, indicator_needs.indicator_id
    having bool_and(supplied.entity is not null and absent.column_name is null)
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

{#- Secondary suppression (models/published/indicator_values_shareable.sql): the totals of `relation`
  meeting `total_filter` every part of which is withheld (is_small) and whose shown count could pin
  them, as their keys. `parts`: 'cells' (an `all` row and the cells of one of its breakdowns) or
  'months' (a fytd or r12m row and the months it sums). n withheld parts of 0-4 sum to at most 4n; a
  total shown as r is known to be at least max(r - 2, 5), so when that reaches 4n every part is 4.
  Only a count-like term (`bounded_term`: a count, a percent's or rate's numerator) is bounded by
  withholding; averages, means and staff cells are not, and are never pinned this way.
  Portable SQL (DuckDB and Spark). -#}
{% macro withheld_totals(relation, total_filter, parts) -%}
    {%- set keys = ['la_code', 'indicator_id', 'period_type', 'period_end', 'dimension', 'dimension_value'] %}
    select distinct {% for k in keys %}total.{{ k }}{{ ", " if not loop.last }}{% endfor %}
    from {{ relation }} as total
    inner join {{ relation }} as part
        on part.la_code = total.la_code
        and part.indicator_id = total.indicator_id
    {%- if parts == 'cells' %}
        and part.period_type = total.period_type
        and part.period_end = total.period_end
        and part.dimension <> 'all'
    where total.dimension = 'all' and {{ total_filter }}
    group by {% for k in keys %}total.{{ k }}, {% endfor %}part.dimension
    {%- else %}
        and part.period_type = 'month'
        and part.dimension = total.dimension
        and part.dimension_value = total.dimension_value
        and part.period_end between total.period_start and total.period_end
    where {{ total_filter }}
    group by {% for k in keys %}total.{{ k }}{{ ", " if not loop.last }}{% endfor %}
    {%- endif %}
    having min(case when part.is_small then 1 else 0 end) = 1
        and greatest(round(max(total.bounded_term) / {{ var('rounding_base') }}.0) * {{ var('rounding_base') }}
                     - {{ var('rounding_base') // 2 }}, {{ var('small_number_max') + 1 }})
            >= {{ var('small_number_max') }} * count(*)
{%- endmacro %}

{#- `relation` with is_small also true for the totals listed in `totals` (withheld_totals). -#}
{% macro withhold_totals(relation, totals) -%}
    select
        {{ relation }}.la_code, {{ relation }}.indicator_id, {{ relation }}.period_type,
        {{ relation }}.period_start, {{ relation }}.period_end, {{ relation }}.dimension,
        {{ relation }}.dimension_value, {{ relation }}.numerator, {{ relation }}.denominator,
        {{ relation }}.value, {{ relation }}.unit, {{ relation }}.bounded_term,
        coalesce({{ relation }}.is_small, false) or {{ totals }}.la_code is not null as is_small
    from {{ relation }}
    left join {{ totals }}
        on {{ totals }}.la_code = {{ relation }}.la_code
        and {{ totals }}.indicator_id = {{ relation }}.indicator_id
        and {{ totals }}.period_type = {{ relation }}.period_type
        and {{ totals }}.period_end = {{ relation }}.period_end
        and {{ totals }}.dimension = {{ relation }}.dimension
        and {{ totals }}.dimension_value = {{ relation }}.dimension_value
{%- endmacro %}

{#
  The codes of one list of seeds/code_lists.csv as a relation with one column, dimension_value:
  the values every breakdown row is produced for (zeros included), e.g. code_list('cp_category').
#}
{% macro code_list(list_name) -%}
    (select code as dimension_value from {{ ref('code_lists') }} where list_name = '{{ list_name }}')
{%- endmacro %}

{#
  A closed list of breakdown values fixed by the definitions (not codes of the extract), as the same
  one-column relation: value_list(['Y', 'N']).
#}
{% macro value_list(values) -%}
    ({% for value in values %}select '{{ value }}' as dimension_value{{ " union all " if not loop.last }}{% endfor %})
{%- endmacro %}

{#
  The case types of a child open to CSC at M1 (practice.md section 2; int_csc_month_end.case_type),
  stated once for every case_type breakdown (practice.md section 5): value_list(csc_case_types()).
#}
{% macro csc_case_types() -%}
    {{ return(['CIN', 'CP', 'CLA']) }}
{%- endmacro %}

{#
  Breakdown values of practice.md section 5 that are not a code list of seeds/code_lists.csv: each is
  stated once here as data, and both the expression giving a row its value and the relation of every
  value (a breakdown's dimension_values, zeros included) are derived from it.
#}

{# contact_source_group / referral_source_group: the CIN census groups of the referral_source codes #}
{% macro source_group_codes() -%}
    {{ return([
        ('individual', ['1A', '1B', '1C', '1D']), ('schools', ['2A']), ('education_services', ['2B']),
        ('health', ['3A', '3B', '3C', '3D', '3E', '3F']), ('housing', ['4']), ('la_services', ['5A', '5B', '5C', '5D']),
        ('police', ['6']), ('other_legal', ['7']), ('other', ['8']), ('anonymous', ['9']), ('unknown', ['10'])]) }}
{%- endmacro %}

{% macro source_group(code_expr) -%}
    case
    {%- for group, codes in source_group_codes() %}
        when {{ code_expr }} in ('{{ codes | join("', '") }}') then '{{ group }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro source_groups() -%}
    {{ dimension_value_list(source_group_codes() | map(attribute=0) | list) }}
{%- endmacro %}

{#
  asm_duration_wd: bands of wd(start_date, authorisation_date), each (label, its last working day; none =
  no upper end). 45 and 60 are the edges of ASM_45WD and ASM_OVER_60WD.
#}
{% macro duration_band_edges() -%}
    {{ return([('0-10', 10), ('11-20', 20), ('21-30', 30), ('31-45', 45), ('46-60', 60), ('61+', none)]) }}
{%- endmacro %}

{% macro duration_band(working_days_expr) -%}
    case
    {%- for label, last in duration_band_edges() %}
        {%- if last is none %}
        when {{ working_days_expr }} is not null then '{{ label }}'
        {%- else %}
        when {{ working_days_expr }} <= {{ last }} then '{{ label }}'
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}

{% macro duration_bands() -%}
    {{ dimension_value_list(duration_band_edges() | map(attribute=0) | list) }}
{%- endmacro %}

{# A code list of seeds/code_lists.csv plus the value a null code gets (contact_outcome + UNKNOWN) #}
{% macro code_list_or(list_name, null_value) -%}
    (select dimension_value from {{ code_list(list_name) }} as codes union all select '{{ null_value }}' as dimension_value)
{%- endmacro %}

{# disability: Y, N, unknown (children.disability null) #}
{% macro disability_values() -%}
    {{ dimension_value_list(['Y', 'N', 'unknown']) }}
{%- endmacro %}

{# A relation with one column, dimension_value, holding the listed strings #}
{% macro dimension_value_list(values) -%}
    ({% for value in values %}select '{{ value }}' as dimension_value{{ " union all " if not loop.last }}{% endfor %})
{%- endmacro %}

{#
  The columns every indicator model starts with, and the checks on its arguments, shared by
  flow_indicator and snapshot_indicator (periods is their int_periods alias).
#}
{% macro indicator_key_columns(kind, indicator_id, unit, dimension, dimension_values) -%}
    {%- if unit not in ('count', 'percent') -%}
        {{ exceptions.raise_compiler_error(kind ~ " " ~ indicator_id ~ ": unit must be count or percent, got " ~ unit) }}
    {%- endif -%}
    {%- if dimension != 'all' and dimension_values is none -%}
        {{ exceptions.raise_compiler_error(kind ~ " " ~ indicator_id ~ ": a breakdown needs dimension_values") }}
    {%- endif -%}
    periods.la_code,
    '{{ indicator_id }}' as indicator_id,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    '{{ dimension }}' as dimension,
    {{ "periods.dimension_value" if dimension != 'all' else "'all'" }} as dimension_value,
{%- endmacro %}

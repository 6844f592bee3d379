{#
  The columns every indicator model starts with, and the checks on its arguments, shared by
  flow_indicator, snapshot_indicator and staff_snapshot_indicator (periods is their int_periods
  alias); units: the units the calling macro computes.
#}
{% macro indicator_key_columns(kind, indicator_id, unit, dimension, dimension_values, units=('count', 'percent')) -%}
    {%- if unit not in units -%}
        {{ exceptions.raise_compiler_error(kind ~ " " ~ indicator_id ~ ": unit must be one of " ~ (units | join(', ')) ~ ", got " ~ unit) }}
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

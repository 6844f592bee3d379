{#
  The period of care a row of int_cla_episodes belongs to (indicators.md, "Placements and periods of
  care"), stated once: the int_periods_of_care row with the same child_key and period_of_care_seq (the
  run number int_cla_episodes gives each contiguous run of the child's episodes). An inner join: each
  episode is in exactly one period, so no row is lost or repeated. The period is aliased periods_of_care.
#}
{% macro join_period_of_care(row_alias) -%}
inner join {{ ref('int_periods_of_care') }} as periods_of_care
    on periods_of_care.child_key = {{ row_alias }}.child_key
    and periods_of_care.period_of_care_seq = {{ row_alias }}.period_of_care_seq
{%- endmacro %}

{#
  value(setting, LA, D) of practice.md section 2 as a join: `{{ join_la_setting('cp_visit_wd', 'on_plan.la_code',
  'on_plan.period_end', 'cp_visit_wd') }}` then `cast(cp_visit_wd.value as integer)`. A left join, so an event
  always keeps its row; int_la_settings holds every setting for every LA (the seed must have a '*' row), so
  the value is never null. D is the date that places the event in the period (flow) or M1 (snapshot).
#}
{% macro join_la_setting(setting, la_code_expr, date_expr, alias) -%}
left join {{ ref('int_la_settings') }} as {{ alias }}
    on {{ alias }}.la_code = {{ la_code_expr }}
    and {{ alias }}.setting = '{{ setting }}'
    and {{ alias }}.valid_from <= {{ date_expr }}
    and ({{ alias }}.valid_to is null or {{ date_expr }} < {{ alias }}.valid_to)
{%- endmacro %}

{#
  wd(a, b) from indicators.md: for a <= b, the number of working days d with a < d <= b
  (same day = 0; Friday -> next Monday = 1; Saturday -> Monday = 1).

  Expands to index(b) - index(a) over int_working_days.working_day_index, so
    - b < a gives the negative count -wd(b, a);
    - a null input, or a date outside the calendar (2009-01-01 .. 2031-12-31), gives null;
    - timestamps are allowed: they are cast to their date first.

  Usable anywhere an expression is (select list, where, aggregates, join conditions). DuckDB
  decorrelates each scalar subquery into a hash join on the ~8,400-row calendar: about 40 ms
  per million rows, the same as writing the two joins by hand.

  The calendar columns are renamed inside the subquery (_wd_date, _wd_index) so that a caller's
  unqualified column (say date_day) binds to the caller's row, not to the calendar.
#}
{% macro working_days(start_expr, end_expr) -%}
    ({{ working_day_index(end_expr) }} - {{ working_day_index(start_expr) }})
{%- endmacro %}

{% macro working_day_index(date_expr) -%}
    {{ return(adapter.dispatch('working_day_index', 'pipeline')(date_expr)) }}
{%- endmacro %}

{% macro default__working_day_index(date_expr) -%}
    (select _wd_index
     from (select date_day as _wd_date, working_day_index as _wd_index from {{ ref('int_working_days') }})
     where _wd_date = cast({{ date_expr }} as date))
{%- endmacro %}

{# Spark wants a correlated scalar subquery aggregated (one row per date anyway) and its derived table named #}
{% macro spark__working_day_index(date_expr) -%}
    (select max(_wd_index)
     from (select date_day as _wd_date, working_day_index as _wd_index from {{ ref('int_working_days') }}) as _wd_calendar
     where _wd_date = cast({{ date_expr }} as date))
{%- endmacro %}

{#
  "Within N working days of its start", stated once for ASM_SEEN_5WD and ICPC_15WD (indicators.md),
  STR_TIMELY and S47_TIMELY (practice.md section 4): end on or after start and wd(start, end) <= limit.
  The first clause is the rule that an end dated before its start (a warning) is never timely: wd would
  be negative there. Where such rows also leave the denominator, use timeliness_flags.
#}
{% macro within_working_days(start_expr, end_expr, limit_expr) -%}
    ({{ end_expr }} >= {{ start_expr }} and {{ working_days(start_expr, end_expr) }} <= {{ limit_expr }})
{%- endmacro %}

{#
  Both flags of a flow timeliness indicator measured from a start (ICPC_15WD, STR_TIMELY, S47_TIMELY), for
  flow_indicator(numerator='is_timely', denominator='has_timeliness'): has_timeliness, the end is not
  before the start (an earlier end is a warning: the row is held, counted, but not judged); is_timely,
  within_working_days(start, end, limit).
#}
{% macro timeliness_flags(start_expr, end_expr, limit_expr) -%}
    {{ end_expr }} >= {{ start_expr }} as has_timeliness,
        {{ within_working_days(start_expr, end_expr, limit_expr) }} as is_timely
{%- endmacro %}

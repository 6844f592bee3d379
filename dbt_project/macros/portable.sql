{#
  SQL that differs between the engines the project runs on (README, "Running on Spark"): DuckDB
  (dbt-duckdb) and Spark SQL (dbt-spark, Databricks). Models call these and stay one SQL for both.
  Everything else in the models is written in the SQL both engines accept: GROUP BY ALL,
  aggregate FILTER, QUALIFY, any_value, max_by, bool_and, date +/- a literal interval, last_day,
  make_date, string as a type name. Adding a macro here: a default__ (DuckDB's) and a spark__.
#}

{# date + n calendar months (n any integer expression); the day clamps to the month's last (31 Jan + 1 month = 28/29 Feb) #}
{% macro add_months(date_expr, months) -%}
    {{ return(adapter.dispatch('add_months', 'pipeline')(date_expr, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expr, months) -%}
    cast({{ date_expr }} + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}

{% macro spark__add_months(date_expr, months) -%}
    add_months({{ date_expr }}, {{ months }})
{%- endmacro %}

{# days(a, b) = b - a in calendar days, same day 0 (care.md A); negative when b is before a; null when either is #}
{% macro days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('days_between', 'pipeline')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__days_between(start_expr, end_expr) -%}
    date_diff('day', {{ start_expr }}, {{ end_expr }})
{%- endmacro %}

{% macro spark__days_between(start_expr, end_expr) -%}
    datediff({{ end_expr }}, {{ start_expr }})
{%- endmacro %}

{# ISO day of the week: Monday = 1 .. Sunday = 7 #}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'pipeline')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{# A relation with one column `column`: the integers first .. last, both included #}
{% macro integer_series(first, last, column) -%}
    {{ return(adapter.dispatch('integer_series', 'pipeline')(first, last, column)) }}
{%- endmacro %}

{% macro default__integer_series(first, last, column) -%}
    (select range as {{ column }} from range({{ first }}, ({{ last }}) + 1))
{%- endmacro %}

{% macro spark__integer_series(first, last, column) -%}
    (select explode(sequence({{ first }}, {{ last }})) as {{ column }})
{%- endmacro %}

{# A relation with one column `column`: every date from first to last, both included #}
{% macro date_series(first, last, column) -%}
    {{ return(adapter.dispatch('date_series', 'pipeline')(first, last, column)) }}
{%- endmacro %}

{% macro default__date_series(first, last, column) -%}
    (select cast(range as date) as {{ column }} from range({{ first }}, {{ last }} + interval 1 day, interval 1 day))
{%- endmacro %}

{% macro spark__date_series(first, last, column) -%}
    (select explode(sequence({{ first }}, {{ last }}, interval 1 day)) as {{ column }})
{%- endmacro %}

{#
  A select-list item that turns each row into one row per part of a delimited string (no rows
  for null), e.g. `select id, {{ split_to_rows('needs', ';') }} as entity from catalogue`.
  The delimiter is a literal character, never a pattern.
#}
{% macro split_to_rows(string_expr, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'pipeline')(string_expr, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(string_expr, delimiter) -%}
    unnest(string_split({{ string_expr }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_to_rows(string_expr, delimiter) -%}
    explode(split({{ string_expr }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}

{#
  The FROM-clause item that joins each row to the entries of a JSON object column, one row per
  key, as alias.key (text) and alias.value (its value as text), e.g. {"2024": 1200} -> ('2024', '1200').
  Write it right after the relation it reads: `from t {{ json_object_entries('t.obj', 'p') }}`.
#}
{% macro json_object_entries(json_expr, alias) -%}
    {{ return(adapter.dispatch('json_object_entries', 'pipeline')(json_expr, alias)) }}
{%- endmacro %}

{% macro default__json_object_entries(json_expr, alias) -%}
    , (select key, value ->> '$' as value from json_each({{ json_expr }})) as {{ alias }}
{%- endmacro %}

{% macro spark__json_object_entries(json_expr, alias) -%}
    lateral view explode(from_json({{ json_expr }}, 'map<string,string>')) {{ alias }} as key, value
{%- endmacro %}

{#
  Every column of `relation_alias` but the listed ones, as a select-list item:
  star_except('benchmarks', ['la_code', 'indicator_id']).
#}
{% macro star_except(relation_alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'pipeline')(relation_alias, columns)) }}
{%- endmacro %}

{% macro default__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{#
  The aggregate "value of expr in the group's first row when ordered by order_by" (a list of
  column expressions, all ascending or all descending), nulls included: first_by('end_date',
  ['episode_seq'], descending=true) is the last episode's end_date, null while it is open.
  The order must be unique within a group.
#}
{% macro first_by(expr, order_by, descending=false) -%}
    {{ return(adapter.dispatch('first_by', 'pipeline')(expr, order_by, descending)) }}
{%- endmacro %}

{% macro default__first_by(expr, order_by, descending) -%}
    first({{ expr }} order by {% for column in order_by %}{{ column }}{{ " desc" if descending }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__first_by(expr, order_by, descending) -%}
    {#- Spark's max_by / min_by keep a null expr (DuckDB's arg_max would skip it) -#}
    {{ "max_by" if descending else "min_by" }}({{ expr }}, {% if order_by | length == 1 %}{{ order_by[0] }}{% else %}struct({{ order_by | join(', ') }}){% endif %})
{%- endmacro %}

{# True when the text matches the regular expression anywhere (anchor it with ^...$ for the whole text) #}
{% macro regex_matches(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'pipeline')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text_expr, pattern) -%}
    regexp_matches({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(text_expr, pattern) -%}
    regexp_like({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{#
  A team name as published (practice.md section 2, "Team values"): surrounding whitespace removed,
  inner runs of whitespace (the no-break space U+00A0 included) collapsed to one space, case kept.
#}
{% macro normalise_whitespace(text_expr) -%}
    {{ return(adapter.dispatch('normalise_whitespace', 'pipeline')(text_expr)) }}
{%- endmacro %}

{% macro default__normalise_whitespace(text_expr) -%}
    trim(regexp_replace({{ text_expr }}, '[\s\x{00A0}]+', ' ', 'g'))
{%- endmacro %}

{% macro spark__normalise_whitespace(text_expr) -%}
    trim(regexp_replace({{ text_expr }}, '[\\s\\x{00A0}]+', ' '))
{%- endmacro %}

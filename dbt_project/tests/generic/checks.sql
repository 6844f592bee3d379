{#
  A model's every data test in one: each dbt test costs about 17 ms of dbt's own work (and a Dagster
  asset check) whatever its query, so a model or seed declares one `checks` test instead of one per
  rule. Fails with one row per broken rule: `failed_check` (the rule, its columns) and `failing_rows`.

  not_null: columns that must hold no null (one scan for all of them, with the expressions).
  unique: column lists, each a key that must not occur twice (nulls compare equal).
  accepted_values: {column: [values]}; a null is accepted (as dbt's accepted_values).
  relationships: {column: "model_or_seed.column"}; a non-null value must occur there (as dbt's
    relationships; the ref is taken at parse time, so the build orders the parent first).
  expressions: {name: boolean SQL}; every row where it is not true (false or null) fails.
  Plain SQL, the same on DuckDB and Spark.
#}
{% test checks(model, not_null=[], unique=[], accepted_values={}, relationships={}, expressions={}) %}
{%- set scanned = [] -%}
{%- for column in not_null -%}
  {%- do scanned.append(("not_null: " ~ column, "count(*) - count(" ~ column ~ ")")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
  {%- set quoted = [] -%}
  {%- for value in values -%}{%- do quoted.append(value if value is number else "'" ~ value ~ "'") -%}{%- endfor -%}
  {%- do scanned.append(("accepted_values: " ~ column,
        "sum(case when " ~ column ~ " not in (" ~ quoted | join(", ") ~ ") then 1 else 0 end)")) -%}
{%- endfor -%}
{%- for name, expression in expressions.items() -%}
  {%- do scanned.append(("expression: " ~ name, "sum(case when not coalesce((" ~ expression ~ "), false) then 1 else 0 end)")) -%}
{%- endfor -%}
with
scanned as (
    select count(*) as row_count
    {%- for label, aggregate in scanned %},
        {{ aggregate }} as check_{{ loop.index }}
    {%- endfor %}
    from {{ model }}
)
{%- for columns in unique %},
unique_{{ loop.index }} as (
    select count(*) as n from (
        select {{ columns | join(', ') }} from {{ model }} group by {{ columns | join(', ') }} having count(*) > 1
    ) duplicated
)
{%- endfor %}
{%- for column, target in relationships.items() %}
{%- set parent, field = target.split('.') %},
relationship_{{ loop.index }} as (
    select count(*) as n from {{ model }}
    where {{ column }} is not null
      and {{ column }} not in (select {{ field }} from {{ ref(parent) }} where {{ field }} is not null)
)
{%- endfor %},
failures as (
    select 'none' as failed_check, cast(0 as bigint) as failing_rows from scanned
    {%- for label, aggregate in scanned %}
    union all select '{{ label }}', cast(coalesce(check_{{ loop.index }}, 0) as bigint) from scanned
    {%- endfor %}
    {%- for columns in unique %}
    union all select 'unique: {{ columns | join(", ") }}', cast(n as bigint) from unique_{{ loop.index }}
    {%- endfor %}
    {%- for column, target in relationships.items() %}
    union all select 'relationships: {{ column }} -> {{ target }}', cast(n as bigint) from relationship_{{ loop.index }}
    {%- endfor %}
)
select failed_check, failing_rows from failures where failing_rows > 0
{% endtest %}

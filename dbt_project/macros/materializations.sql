{#
  DuckDB's table and view materializations, for a build warehouse that is new each refresh (raw_manifests
  deletes it). dbt-duckdb's own build each model under a temporary name, rename any existing one aside,
  rename the new one in and drop the old: five statements and their relation lookups a model, which kept
  the old relation readable while the new one was built, for other readers of the file. The build
  warehouse has no other reader, so a model is one statement (an existing one, from dbt run by hand, is
  dropped first, in the same transaction): 0.9 s of the `la` bench's dbt step. create_table_as keeps
  dbt-duckdb's own SQL, contracts included, and a model's hooks run as in dbt's; grants and persist_docs
  (unused here, and nothing reads DuckDB's comments) are left out. Spark keeps dbt-spark's.
#}
{% macro build_in_one_statement(relation, create_sql) %}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {{ drop_relation_if_exists(load_cached_relation(this)) }}
  {% call statement('main') -%}
    {{ create_sql }}
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [relation]}) }}
{% endmacro %}

{% materialization table, adapter='duckdb' %}
  {%- set relation = this.incorporate(type='table') -%}
  {{ return(build_in_one_statement(relation, create_table_as(False, relation, sql))) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
  {%- set relation = this.incorporate(type='view') -%}
  {{ return(build_in_one_statement(relation, get_create_view_as_sql(relation, sql))) }}
{% endmaterialization %}

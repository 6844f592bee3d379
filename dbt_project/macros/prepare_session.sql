{#
  on-run-start (dbt_project.yml): what a run needs in its session before any model.
  DuckDB: nothing (the build file holds the raw tables; the salt plugin sets the salt).
  Spark (a local session with an in-memory catalogue): the pseudonym salt as a session variable,
  read once on the driver from its environment (so it is in no SQL text), and every raw source
  as a table over the Parquet files the pipeline handed over in $PIPELINE_SPARK_RAW_DIR/<table>/.
#}
{% macro prepare_session() -%}
    {{ return(adapter.dispatch('prepare_session', 'pipeline')()) }}
{%- endmacro %}

{% macro default__prepare_session() -%}
    select 1
{%- endmacro %}

{% macro spark__prepare_session() -%}
    {%- if execute -%}
    {%- set raw_dir = env_var('PIPELINE_SPARK_RAW_DIR', '') -%}
    {%- if not raw_dir -%}
        {{ exceptions.raise_compiler_error("PIPELINE_SPARK_RAW_DIR is not set: the folder of the raw tables as Parquet (pipeline refresh --engine spark sets it)") }}
    {%- endif -%}
    {% do run_query("declare or replace variable pseudonym_salt string default coalesce("
                    ~ "java_method('java.lang.System', 'getenv', 'PIPELINE_PSEUDONYM_SALT'), "
                    ~ "raise_error('PIPELINE_PSEUDONYM_SALT is not set in the Spark driver environment'))") %}
    {% do run_query("create schema if not exists raw") %}
    {%- for source in graph.sources.values() if source.source_name == 'raw' %}
    {% do run_query("create table if not exists raw." ~ source.name ~ " using parquet location '"
                    ~ raw_dir ~ "/" ~ source.name ~ "'") %}
    {%- endfor %}
    {%- endif -%}
    select 1
{%- endmacro %}

{#
  Salted SHA-256 (hex) of a person ID. The salt (PIPELINE_PSEUDONYM_SALT) never appears in
  compiled SQL, logs or the repository: on DuckDB pipeline.runtime.dbt_salt_plugin sets the variable
  pseudonym_salt on every connection; on Spark the session variable is declared at the start of
  each run from the driver's environment (macros/prepare_session.sql).
#}
{% macro pseudonymise(column) -%}
    {{ return(adapter.dispatch('pseudonymise', 'pipeline')(column)) }}
{%- endmacro %}

{% macro default__pseudonymise(column) -%}
    sha256(getvariable('pseudonym_salt') || {{ column }})
{%- endmacro %}

{% macro spark__pseudonymise(column) -%}
    sha2(concat(system.session.pseudonym_salt, {{ column }}), 256)
{%- endmacro %}

{#
  A member of staff's case-system ID (practice.md 1.4): the same keyed hash in its own domain, the
  input prefixed 'worker:', so one staff ID gives one pseudonym in allocations and workforce_posts
  and never the pseudonym of a child with the same source ID. Null stays null.
#}
{% macro pseudonymise_worker(column) -%}
    {{ pseudonymise("'worker:' || " ~ column) }}
{%- endmacro %}

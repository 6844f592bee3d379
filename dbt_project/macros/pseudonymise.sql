{# Salted SHA-256 of a person ID. The salt is set on every connection by pipeline.dbt_salt_plugin
   from the environment, so it never appears in compiled SQL or in the repository. #}
{% macro pseudonymise(column) -%}
    sha256(getvariable('pseudonym_salt') || {{ column }})
{%- endmacro %}

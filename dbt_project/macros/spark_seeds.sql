{#
  dbt-spark 1.11's session method binds seed values by pasting them between quotes unescaped, so
  "New Year's Day" breaks the insert and an empty cell becomes the text 'None'. This project's
  override writes each value as a proper Spark SQL literal instead (null, number, true/false, or
  a quoted, escaped string cast to the column's type). Found by dispatch ahead of dbt-spark's own.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) %}
    {%- set sql -%}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for col_name in agate_table.column_names -%}
          {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
          {%- set value = row[loop.index0] -%}
          {%- if value is none -%}
            cast(null as {{ type }})
          {%- elif value is sameas true or value is sameas false -%}
            {{ 'true' if value else 'false' }}
          {%- elif value is number -%}
            cast({{ value }} as {{ type }})
          {%- else -%}
            cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
          {%- endif -%}
          {{- "," if not loop.last -}}
        {%- endfor -%}){{ "," if not loop.last }}
      {% endfor %}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif -%}
  {%- endfor %}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#
  Fails with one row per combination of `columns` that occurs more than once (a composite
  primary key check; dbt_utils.unique_combination_of_columns is not available offline).
  Nulls compare equal here, so two rows differing only by a null key are duplicates too.
#}
{% test unique_combination(model, columns) %}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

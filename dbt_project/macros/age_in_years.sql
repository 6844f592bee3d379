{#
  Age in completed years at a date (indicators.md, "Age at a date"): the birthday of the year
  counts from the day itself, so a child born on 30 June is 16 on 30 June sixteen years later.
  A child born on 29 February reaches a new age on 1 March in other years (England and Wales law).
  Null when either date is null.
#}
{% macro age_in_years(date_of_birth, at_date) -%}
    (year({{ at_date }}) - year({{ date_of_birth }})
        - case
            when month({{ at_date }}) < month({{ date_of_birth }})
                or (month({{ at_date }}) = month({{ date_of_birth }}) and day({{ at_date }}) < day({{ date_of_birth }}))
            then 1 else 0
        end)
{%- endmacro %}

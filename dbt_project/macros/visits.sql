{#
  The visit-in-timescale rule, stated once for CPP_VISIT_10WD (indicators.md), CPP_VISIT_TIMELY and
  CIN_VISIT_TIMELY (practice.md section 4, the second "CPP_VISIT_10WD with 10 replaced by N"). For each
  row of `cohort` (la_code, period_end = M1, child_id, plan_start, ...), with N = visit_wd (a number, or
  the name of a cohort column), the row comes back with
    is_visit_due  wd(plan_start, M1) >= N: a child whose plan started fewer than N working days before
                  M1 needs no visit yet (the denominator);
    is_visited    a visit_type visit of the child with visit_date <= M1 and wd(visit_date, M1) <= N, any
                  such visit, even one recorded under an earlier plan (the numerator, with is_visit_due).
  N is at most 60 working days (the settings' range, practice.md section 3), which never span more than
  100 calendar days: that bound keeps the join to the visits small.
#}
{% macro visits_in_timescale(cohort, visit_type, plan_start, visit_wd) -%}
{%- set n = visit_wd if visit_wd is number else 'cohort.' ~ visit_wd -%}
select
    cohort.*,
    {{ working_days('cohort.' ~ plan_start, 'cohort.period_end') }} >= {{ n }} as is_visit_due,
    visited.child_id is not null as is_visited
from {{ cohort }} as cohort
left join (
    select distinct cohort.la_code, cohort.period_end, cohort.child_id
    from {{ cohort }} as cohort
    inner join {{ ref('stg_visits') }} as visits
        on visits.la_code = cohort.la_code
        and visits.child_id = cohort.child_id
        and visits.visit_type = '{{ visit_type }}'
        and visits.visit_date <= cohort.period_end
        and visits.visit_date > cohort.period_end - interval 100 day
    where {{ working_days('visits.visit_date', 'cohort.period_end') }} <= {{ n }}
) as visited
    on visited.la_code = cohort.la_code
    and visited.period_end = cohort.period_end
    and visited.child_id = cohort.child_id
{%- endmacro %}

{#
  v of CLA_VISIT_TIMELY and PF_VISIT_TIMELY (care.md C.2 and C.8), stated once: the child's latest
  visit_type visit with since <= visit_date <= M1, null when there is none. `cohort` has one row per
  la_code x period_end (M1) x child_id; the columns named in `columns` come back with last_visit.
#}
{% macro latest_visit(cohort, columns, visit_type, since) -%}
select
    {%- for column in columns %}
    cohort.{{ column }},
    {%- endfor %}
    max(visits.visit_date) as last_visit
from {{ cohort }} as cohort
left join {{ ref('stg_visits') }} as visits
    on visits.la_code = cohort.la_code
    and visits.child_id = cohort.child_id
    and visits.visit_type = '{{ visit_type }}'
    and visits.visit_date between cohort.{{ since }} and cohort.period_end
group by {% for column in columns %}cohort.{{ column }}{{ ", " if not loop.last }}{% endfor %}
{%- endmacro %}

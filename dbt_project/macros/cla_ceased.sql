{#
  The episodes CLA_CEASED counts (indicators.md, CLA_CEASED; care.md F.3 and clarification G: per
  episode, short breaks left out), stated once: end_date set, reason_episode_ceased set and not X1 (X1:
  the episode ends but the child stays looked after), legal_status not V3/V4. ADO_CEASED_PCT (care.md
  C.5, scorecard A4) is the share of these in CLA_CEASED's reason_ceased_group 'adopted'.
#}
{% macro cla_ceasing_episodes() -%}
select *
from {{ ref('stg_cla_episodes') }}
where end_date is not null and reason_episode_ceased is not null and reason_episode_ceased <> 'X1'
    and legal_status not in ('V3', 'V4')
{%- endmacro %}

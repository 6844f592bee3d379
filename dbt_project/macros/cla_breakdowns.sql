{#
  The groups of the children-looked-after breakdowns (care.md section D), stated once: each dimension is
  an ordered list of (value, condition) pairs, first match wins, and `else` takes every other row, so the
  values of a dimension partition the indicator's `all` row. Conditions read the columns legal_status,
  placement_type, placement_provider, age and reason_episode_ceased of the row being grouped.
  breakdown_group(dimension) is the CASE expression; breakdown_values(dimension) the relation of every
  value (one column, dimension_value) that flow_indicator / snapshot_indicator give a row, zeros included.
#}
{% macro cla_breakdown_rules() -%}
{{ return({
    'age_band': {'rules': [
        ('unknown', "age is null"),
        ('under_1', "age < 1"),
        ('1_4', "age <= 4"),
        ('5_9', "age <= 9"),
        ('10_15', "age <= 15")], 'else': '16_plus'},
    'legal_status_group': {'rules': [
        ('care_order', "legal_status in ('C1', 'C2')"),
        ('placement_order', "legal_status in ('E1', 'D1')"),
        ('s20', "legal_status = 'V2'")], 'else': 'other'},
    'placement_group': {'rules': [
        ('adoption', "placement_type in ('A3', 'A4', 'A5', 'A6')"),
        ('placed_with_parents', "placement_type = 'P1'"),
        ('foster_ifa', "placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6') and placement_provider in ('PR4', 'PR5')"),
        ('foster_family_friends', "placement_type in ('U1', 'U2', 'U3')"),
        ('foster_in_house', "placement_type in ('U4', 'U5', 'U6') and placement_provider = 'PR1'"),
        ('foster_other', "placement_type in ('U4', 'U5', 'U6')"),
        ('residential', "placement_type in ('K1', 'K2', 'R1', 'S1')"),
        ('supported_independent', "placement_type in ('H5', 'K3', 'P2')")], 'else': 'other'},
    'reason_ceased_group': {'rules': [
        ('adopted', "reason_episode_ceased in ('E11', 'E12')"),
        ('sgo', "reason_episode_ceased in ('E45', 'E46', 'E47', 'E48')"),
        ('cao', "reason_episode_ceased = 'E41'"),
        ('returned_home', "reason_episode_ceased in ('E4A', 'E4B')"),
        ('independent_living', "reason_episode_ceased in ('E5', 'E6')"),
        ('staying_put', "reason_episode_ceased = 'E17'")], 'else': 'other'},
}) }}
{%- endmacro %}

{% macro breakdown_group(dimension) -%}
    {%- set spec = cla_breakdown_rules()[dimension] -%}
    case {%- for value, condition in spec['rules'] %} when {{ condition }} then '{{ value }}'{% endfor %} else '{{ spec['else'] }}' end
{%- endmacro %}

{% macro breakdown_values(dimension) -%}
    {%- set spec = cla_breakdown_rules()[dimension] -%}
    (
    {%- for value, condition in spec['rules'] %}
    select '{{ value }}' as dimension_value union all
    {%- endfor %}
    select '{{ spec['else'] }}' as dimension_value)
{%- endmacro %}

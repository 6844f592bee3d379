-- adoption as landed, child_id pseudonymised; lineage columns stay in raw. An AD1 row and a
-- placed_for_adoption row of one child with the same decision date are one record (care.md B.5), so
-- rows repeating (child, decision_date) become one: the greatest adoption_id (the row the linked-row
-- tie rule of care.md G would pick) and, column by column, the value of the greatest adoption_id
-- that has one, so the AD1 row's match and the other's reversal are both kept.
{%- set merged = ['placement_order_date', 'matched_date', 'adopted_by_foster_carer', 'decision_reversed_date',
                  'reversal_reason'] %}
select
    la_code,
    max(adoption_id) as adoption_id,
    child_id,
    decision_date,
    {%- for column in merged %}
    {{ first_by(column, ['adoption_id'], descending=true) }} filter (where {{ column }} is not null) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
from (
    select
        la_code, adoption_id, {{ pseudonymise('child_id') }} as child_id, decision_date,
        {{ merged | join(', ') }}
    from {{ source('raw', 'adoption') }}
) as landed
group by la_code, child_id, decision_date

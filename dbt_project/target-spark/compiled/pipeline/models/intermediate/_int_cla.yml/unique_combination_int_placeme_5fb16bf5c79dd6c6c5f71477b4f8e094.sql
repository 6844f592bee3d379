
select
    la_code, child_id, placement_seq,
    count(*) as occurrences
from intermediate.int_placements
group by la_code, child_id, placement_seq
having count(*) > 1

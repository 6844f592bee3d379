
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, child_id, placement_seq,
    count(*) as occurrences
from intermediate.int_placements
group by la_code, child_id, placement_seq
having count(*) > 1

  
  
      
    ) dbt_internal_test
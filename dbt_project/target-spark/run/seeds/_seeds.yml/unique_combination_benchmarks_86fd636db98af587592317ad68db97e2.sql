
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, indicator_id, comparator, period_label,
    count(*) as occurrences
from seeds.benchmarks
group by la_code, indicator_id, comparator, period_label
having count(*) > 1

  
  
      
    ) dbt_internal_test
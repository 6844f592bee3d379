
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select *
from seeds.benchmarks
where not coalesce((regexp_like(period_label, '^[0-9]{4}/[0-9]{2}$')), false)

  
  
      
    ) dbt_internal_test

    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select
    la_code, referral_id,
    count(*) as occurrences
from intermediate.int_referral_history
group by la_code, referral_id
having count(*) > 1

  
  
      
    ) dbt_internal_test
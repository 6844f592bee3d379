
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

select
    display_order as unique_field,
    count(*) as n_records

from seeds.indicator_catalogue
where display_order is not null
group by display_order
having count(*) > 1



  
  
      
    ) dbt_internal_test
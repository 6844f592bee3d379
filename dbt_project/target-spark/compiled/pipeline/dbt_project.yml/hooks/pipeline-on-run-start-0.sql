
    
    
    
    
    
    
    
    
    
    
    
    
    
    
    
    select 1
-- published.indicator_values (warehouse.md): what publish copies for every LA that passed the gate
select * from {{ ref('fct_indicator_values') }}

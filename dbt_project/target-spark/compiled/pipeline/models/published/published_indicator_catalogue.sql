
-- published.indicator_catalogue (warehouse.md): one row per indicator, from seeds/indicator_catalogue.csv
select id, name, description, kind, unit, polarity, needs, reference, family, display_order
from seeds.indicator_catalogue
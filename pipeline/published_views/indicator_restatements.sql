-- published.indicator_restatements (warehouse.md, indicator_history): per LA, indicator, period
-- and breakdown, the figure as first published and as last changed by a later publication, and the
-- difference (indicator_history holds a row only when a figure is new or changed: `publications`
-- counts those versions), so months restated by backdated recording stand out.
-- Run by pipeline/publish.py in each new published warehouse, over its indicator_history.
create or replace view published.indicator_restatements as
select
    la_code,
    indicator_id,
    period_type,
    any_value(period_start) as period_start,
    period_end,
    dimension,
    dimension_value,
    arg_min_null(value, published_at) as first_published_value,
    min(published_at) as first_published_at,
    arg_min_null(extract_date, published_at) as first_extract_date,
    arg_max_null(value, published_at) as latest_value,
    max(published_at) as latest_published_at,
    arg_max_null(extract_date, published_at) as latest_extract_date,
    arg_max_null(value, published_at) - arg_min_null(value, published_at) as difference,
    arg_max_null(value, published_at) is distinct from arg_min_null(value, published_at) as is_restated,
    count(*) as publications
from published.indicator_history
group by la_code, indicator_id, period_type, period_end, dimension, dimension_value

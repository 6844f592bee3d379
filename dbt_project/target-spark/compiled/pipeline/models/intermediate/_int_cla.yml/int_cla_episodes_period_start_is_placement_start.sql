
select *
from intermediate.int_cla_episodes
where not coalesce((starts_placement or not starts_period_of_care), false)


select
    la_code, episode_id,
    count(*) as occurrences
from intermediate.int_cla_episodes
group by la_code, episode_id
having count(*) > 1

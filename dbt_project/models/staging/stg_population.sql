-- children aged 0-17 per LA and year: the manifest's population_0_17 overrides seeds/population.csv
with from_manifest as (
    select m.la_code, cast(p.key as integer) as year, cast(p.value as bigint) as population_0_17
    from {{ source('raw', 'manifests') }} as m
        {{ json_object_entries('m.population_0_17', 'p') }}
    where m.population_0_17 is not null
),

from_seed as (
    select s.la_code, s.year, s.population_0_17
    from {{ ref('population') }} as s
    where not exists (select 1 from from_manifest as f where f.la_code = s.la_code)
)

select * from from_manifest
union all
select * from from_seed

-- Reported periods a statutory-format source cannot support (docs/statutory_formats.md), so that
-- their figures are absent rather than wrong: for each limit the adapters reported
-- (stg_source_coverage), the LA's periods of every indicator needing that entity (or of the one
-- indicator named) that the source is not complete for, or all of them when it never is.
-- A flow needs its whole period covered; a snapshot at M1 counts what is open into M1 + 1 day, so
-- it needs M1 + 1 day >= covered_from. dimension null: every breakdown, else only that one.
with needs as (
    select indicator_id, kind, trim(entity) as entity
    from (
        select catalogue.id as indicator_id, catalogue.kind, explode(split(catalogue.needs, '\\Q;\\E')) as entity
        from seeds.indicator_catalogue as catalogue
    ) as needs
)

select distinct
    coverage.la_code,
    needs.indicator_id,
    periods.period_type,
    periods.period_end,
    coverage.dimension
from staging.stg_source_coverage as coverage
inner join needs
    on needs.entity = coverage.entity
    and (coverage.indicator_id is null or coverage.indicator_id = needs.indicator_id)
inner join intermediate.int_periods as periods
    on periods.la_code = coverage.la_code
where coverage.covered_from is null
    or case
        when needs.kind = 'snapshot' then cast(periods.period_end + interval 1 day as date)
        else periods.period_start
    end < coverage.covered_from
"""Dataset-level warnings of practice.md 1.3, on an entity's loaded rows of every LA of a run at once
(entities.yml `warnings`): never blocking, reported in audit.dataset_issues (then audit.data_quality and
`pipeline validate`). Messages give counts, shares and row numbers, never a supplied value: they are
published (published.data_quality), and some of these rows carry staff IDs.

Kinds:
- open_over_12_months {start, end}: rows still open (end null) whose start is more than 12 months
  before the extract date: the legacy backlog of incomplete work (`start` may list several columns:
  their earliest);
- null_share {column, among}: the share of rows with `column` null, among the rows with `among` given
  (all rows without it);
- case_variants {column}: values that differ only in letter case (two spellings of one team);
- overlapping_workers: children with overlapping social-worker allocations (worker_role SW or ASYE)
  to different workers, counted and as a share of the children with social-worker allocations;
- workers_missing_from_snapshot: workers allocated (any role) on a snapshot's as_at_date who are
  absent from that workforce snapshot (read from raw.allocations, loaded before workforce_posts);
- duplicates {columns}: rows repeating the columns (one record given more than once: the dbt side
  keeps one, as care.md B says for each entity);
- overlapping_periods {start, end, columns}: rows of one child whose spans overlap (each starts before
  the other ends; end null: still open), counted by row; two rows equal on `columns` are one record
  repeated (the duplicates warning's), not an overlap;
- code_for_age {column, at, age, codes}: `codes` are for children under `age` at the date `at`: a row
  with one of them for an older child, or with another code for a younger one (the child's
  date_of_birth from the children entity, loaded before this one; a child without one is not judged).
"""

from pipeline.load.rules import lit, q
from pipeline.specs import Entity, children_entity

MAX_ROWS_NAMED = 5
# loaded rows of the run's LAs, with each LA's extract date
ROWS = "(select r.*, m.extract_date from raw.{entity} r join raw.manifests m using (la_code) where list_contains($las, r.la_code))"


def dataset_warnings(con, entity: Entity, absent: dict[str, list[str]]) -> dict[str, list[tuple[str, str, str]]]:
    """la_code -> [(rule, 'warning', message)] for the entity's `warnings` in entities.yml, of the LAs in
    `absent` (la_code -> the optional columns its file lacks: a warning on a column not supplied is skipped,
    e.g. open enquiries from a source with no end dates)."""
    out: dict[str, list] = {}
    for spec in entity.warnings:
        sql, describe = KINDS[spec["kind"]](entity, spec)
        named = set(spec.columns_named)
        las = [la for la, columns in absent.items() if not named & set(columns)]
        for la, *found in con.execute(sql.replace("{rows}", ROWS.format(entity=entity.name)), {"las": las}).fetchall():
            if found[0]:  # something to say
                out.setdefault(la, []).append((spec["rule"], "warning", f"{la}/{entity.name}: {describe(*found)}"))
    return out


def _listed(value) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _rows(rows: list[int] | None) -> str:
    rows = sorted(r for r in rows or [] if r is not None)
    more = f" and {len(rows) - MAX_ROWS_NAMED} more" if len(rows) > MAX_ROWS_NAMED else ""
    return f" (rows {', '.join(str(r) for r in rows[:MAX_ROWS_NAMED])}{more})"


def _earliest(columns) -> str:
    return f"least({', '.join(q(c) for c in _listed(columns))})"


def open_over_12_months(entity: Entity, spec: dict):
    start, end = _earliest(spec["start"]), q(spec["end"])
    sql = f"""select la_code, count(*) filter (where {end} is null and {start} < extract_date - interval 12 month),
                     count(*), list(_source_row) filter (where {end} is null and {start} < extract_date - interval 12 month)
              from {{rows}} group by 1 order by 1"""
    what = entity.name.replace("_", " ")
    return sql, lambda n, of, rows: (f"{n} of {of} {what} still open more than 12 months after they started "
                                     f"({spec['end']} empty){_rows(rows)}: incomplete records left open?")


def null_share(entity: Entity, spec: dict):
    column, among = q(spec["column"]), spec.get("among")
    where = f"{q(among)} is not null" if among else "true"
    sql = f"""select la_code, count(*) filter (where {column} is null and {where}), count(*) filter (where {where})
              from {{rows}} group by 1 order by 1"""
    rows_of = f"rows with {among} given" if among else "rows"
    return sql, lambda n, of: f"{spec['column']} is empty in {n} of {of} {rows_of} ({n / of:.0%})"


def case_variants(entity: Entity, spec: dict):
    column = q(spec["column"])
    sql = f"""with v as (select la_code, lower({column}) as low from {{rows}} group by all
                         having count(distinct {column}) > 1)
              select r.la_code, count(distinct v.low), list(r._source_row) from {{rows}} r
              join v on v.la_code = r.la_code and lower(r.{column}) = v.low group by 1 order by 1"""
    return sql, lambda n, rows: (f"{n} {spec['column']} value(s) are written in more than one letter case"
                                 f"{_rows(rows)}: counted as different {spec['column']}s")


def overlapping_workers(entity: Entity, spec: dict):
    # social-worker allocations (coverage s <= d < e: an allocation ending the day it starts covers no day)
    sw = "(select * from {rows} where worker_id is not null and worker_role in ('SW', 'ASYE') and (end_date is null or end_date > start_date))"
    sql = f"""with sw as {sw},
              pairs as (select a.la_code, a.child_id, a._source_row from sw a join sw b
                        on a.la_code = b.la_code and a.child_id = b.child_id and a.worker_id <> b.worker_id
                        and a.start_date < coalesce(b.end_date, date '9999-12-31')
                        and b.start_date < coalesce(a.end_date, date '9999-12-31'))
              select s.la_code, count(distinct p.child_id), count(distinct s.child_id), list(distinct p._source_row)
              from sw s left join pairs p on p.la_code = s.la_code and p.child_id = s.child_id group by 1 order by 1"""
    return sql, lambda n, of, rows: (f"{n} of {of} children with social-worker allocations ({n / of:.0%}) have "
                                     f"overlapping allocations to different workers{_rows(rows)}")


def workers_missing_from_snapshot(entity: Entity, spec: dict):
    sql = """with snapshots as (select distinct la_code, as_at_date from {rows}),
              allocated as (select distinct a.la_code, s.as_at_date, a.worker_id, a._source_row
                            from raw.allocations a join snapshots s on s.la_code = a.la_code
                            where a.worker_id is not null and a.start_date <= s.as_at_date
                              and (a.end_date is null or a.end_date > s.as_at_date)),
              missing as (select * from allocated a where not exists (
                            select 1 from {rows} p where p.la_code = a.la_code and p.as_at_date = a.as_at_date
                            and p.worker_id = a.worker_id))
              select la_code, count(distinct (as_at_date, worker_id)), count(distinct as_at_date),
                     list(distinct _source_row)
              from missing group by 1 order by 1"""
    return sql, lambda n, snapshots, rows: (f"{n} worker(s) allocated on the as_at_date of {snapshots} snapshot(s) "
                                            f"are not in that snapshot (allocations{_rows(rows)})")


def duplicates(entity: Entity, spec: dict):
    columns = ", ".join(q(c) for c in spec["columns"])
    sql = f"""with r as (select *, count(*) over (partition by la_code, {columns}) as n from {{rows}})
              select la_code, count(*) filter (where n > 1), count(*), list(_source_row) filter (where n > 1)
              from r group by 1 order by 1"""
    return sql, lambda n, of, rows: (f"{n} of {of} rows repeat the ({', '.join(spec['columns'])}) of another row"
                                     f"{_rows(rows)}: counted as one")


def overlapping_periods(entity: Entity, spec: dict):
    start, end = q(spec["start"]), q(spec["end"])
    far = "date '9999-12-31'"
    repeat = " and ".join(f"a.{q(c)} is not distinct from b.{q(c)}" for c in spec.get("columns", ()))
    # as for CLA episodes, one may start on the day another ended (found and missing again the same day)
    sql = f"""with r as (select row_number() over () as _n, * from {{rows}}),
              pairs as (select a.la_code, a._source_row from r a join r b
                        on a.la_code = b.la_code and a.child_id = b.child_id and a._n <> b._n
                        and a.{start} < coalesce(b.{end}, {far}) and b.{start} < coalesce(a.{end}, {far})
                        {f"and not ({repeat})" if repeat else ""})
              select r.la_code, count(distinct p._source_row), count(distinct r._source_row), list(distinct p._source_row)
              from r left join pairs p on p.la_code = r.la_code and p._source_row = r._source_row group by 1 order by 1"""
    what = entity.name.replace("_", " ")
    return sql, lambda n, of, rows: f"{n} of {of} {what} overlap another of the same child{_rows(rows)}"


def code_for_age(entity: Entity, spec: dict):
    column, at, age, kids = q(spec["column"]), q(spec["at"]), int(spec["age"]), children_entity()
    codes = ", ".join(lit(c) for c in spec["codes"])
    young = f"r.{at} < c.date_of_birth + interval {age} year"
    wrong = f"(r.{column} in ({codes}) and not {young}) or (r.{column} not in ({codes}) and {young})"
    sql = f"""select r.la_code, count(*) filter (where {wrong}), count(r.{column}), list(r._source_row) filter (where {wrong})
              from {{rows}} r left join raw.{kids.name} c on c.la_code = r.la_code and c.{kids.key} = r.{kids.key}
              group by 1 order by 1"""
    shown = " or ".join(spec["codes"])
    return sql, lambda n, of, rows: (f"{n} of {of} rows with {spec['column']} given have {shown} for a child aged "
                                     f"{age} or over at {spec['at']}, or another code for a child under {age}{_rows(rows)}")


KINDS = {f.__name__: f for f in (open_over_12_months, null_share, case_variants, overlapping_workers,
                                 workers_missing_from_snapshot, duplicates, overlapping_periods, code_for_age)}

"""The frames an entity suite validates, computed in DuckDB (suites.py describes their columns).

Rules that compare a row with something outside it (the manifest's extract date, the child's
date of birth, the children file, the child's other plans) become column expectations on helper
columns, and per-LA facts (rows supplied, quarantine and overlap shares, rows per month) become
rows of small frames, so every rule lives in the suite JSON and GX evaluates it. Each frame
covers every LA of the run: one GX validation per frame.

The rows frame holds only the loaded rows some expectation of the suite could find unexpected
(suspect_condition: each expectation's own test, in SQL). The rest pass every rule by
construction, so GX's findings are the same as on every row, while the frame's size follows the
rows that break a rule, not the rows loaded: almost none, since the loader quarantined them.
"""

import pandas as pd

from pipeline.load.rules import birth_floor_sql, lit, q
from pipeline.paths import history_months
from pipeline.pseudonyms import pseudonym_sql, set_salt
from pipeline.quality.suites import (MIN_VOLUME_BASE, OVERLAP_ENTITIES, VOLUME_DATE, frame_suite, frames_of,
                                     reference_helpers)
from pipeline.specs import Entity, checked_against_children, children_entity

_FAR_FUTURE = "date '9999-12-31'"


def entity_frames(con, entity: Entity, suite: dict, las: list[str]) -> dict[str, pd.DataFrame]:
    """The frames the suite's expectations are validated on, of the given LAs (each with a valid manifest)."""
    ctes = "with " + ",\n".join(_ctes(entity))
    if any(c.pseudonym for c in entity.columns):
        set_salt(con)  # the rows frame shows staff IDs as their pseudonyms (_all_rows_sql)
    sql = {"rows": lambda e: _rows_sql(e, frame_suite(suite, "rows")["expectations"]),
           "las": _las_sql, "months": _months_sql}
    return {name: con.execute(f"{ctes}\n{sql[name](entity)}", {"las": las}).df() for name in frames_of(suite)}


def suspect_condition(expectation: dict) -> str:
    """SQL that is true of every row (of the rows frame, columns by name) the expectation could
    find unexpected: its own test, or `true` where it is not known here (then every row is checked).
    A column-type or column-exists expectation finds the same on any subset of the rows: `false`."""
    kind, kw = expectation["type"], expectation["kwargs"]
    if "row_condition" in kw:  # a row the condition leaves out is never unexpected
        condition = _condition_sql(kw["row_condition"])
        own = suspect_condition({"type": kind, "kwargs": {k: v for k, v in kw.items() if k != "row_condition"}})
        return f"({condition}) and ({own})"
    if any(isinstance(v, dict) for v in kw.values()):  # $PARAMETERs
        return "true"
    column = q(kw["column"]) if "column" in kw else None
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} is null"
    if kind == "expect_column_values_to_be_null":
        return f"{column} is not null"
    if kind in ("expect_column_values_to_be_in_type_list", "expect_column_to_exist"):
        return "false"
    if kind == "expect_column_values_to_be_in_set" and all(isinstance(v, str) for v in kw["value_set"]):
        return f"{column} is not null and {column} not in ({', '.join(lit(v) for v in kw['value_set']) or 'NULL'})"
    if kind == "expect_column_values_to_match_regex":  # GX searches (pandas str.contains), as regexp_matches does
        return f"{column} is not null and not regexp_matches({column}::varchar, {lit(kw['regex'])})"
    if kind == "expect_column_values_to_be_between":
        limits = [f"{column} {'<=' if kw.get('strict_min') else '<'} {kw['min_value']}"
                  if kw.get("min_value") is not None else None,
                  f"{column} {'>=' if kw.get('strict_max') else '>'} {kw['max_value']}"
                  if kw.get("max_value") is not None else None]
        return " or ".join(c for c in limits if c) or "false"
    if kind == "expect_compound_columns_to_be_unique":  # `loaded`: the CTE of the entity's loaded rows
        columns = ", ".join(q(c) for c in kw["column_list"])
        return f"({columns}) in (select {columns} from loaded group by all having count(*) > 1)"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = q(kw["column_A"]), q(kw["column_B"])
        broken = f"{a} {'<' if kw.get('or_equal') else '<='} {b}"
        if kw.get("ignore_row_if") == "either_value_is_missing":
            return broken  # NULL (not true) when either is missing
        return f"{a} is null or {b} is null or {broken}"
    return "true"


def _condition_sql(condition: dict) -> str:
    """A GX row condition (suites.py writes nullity, comparison ==/IN/NOT_IN, and) as SQL that is true of
    at least the rows it selects; `true` for anything else, so no row is ever left out wrongly."""
    kind = condition.get("type")
    if kind == "and":
        return " and ".join(f"({_condition_sql(c)})" for c in condition["conditions"]) or "true"
    if kind == "nullity":
        return f"{q(condition['column']['name'])} is {'' if condition['is_null'] else 'not '}null"
    if kind == "comparison":
        column, operator, value = q(condition["column"]["name"]), condition["operator"], condition["parameter"]
        if operator == "==":
            return f"{column} = {lit(value)}"
        if operator == "IN":
            return f"{column} in ({', '.join(lit(v) for v in value) or 'NULL'})"
        if operator == "NOT_IN":  # pandas keeps a missing value here
            return f"({column} is null or {column} not in ({', '.join(lit(v) for v in value) or 'NULL'}))"
    return "true"


def _ctes(entity: Entity) -> list[str]:
    e = entity.name
    ctes = [
        "extracts as (select la_code, max(extract_date) as extract_date from raw.manifests "
        "where list_contains($las, la_code) group by 1)",
        f"loaded as (select * from raw.{e} where la_code in (select la_code from extracts))",
    ]
    if e in OVERLAP_ENTITIES:
        key = OVERLAP_ENTITIES[e]
        # sharing a day is an overlap; an episode may start on the day the previous one ended
        ctes.append(f"""overlapping as (
            select a.la_code, a.{key} as id, min(b.{key}) as other
            from loaded a join loaded b
              on a.la_code = b.la_code and a.child_id = b.child_id and a.{key} <> b.{key}
             and a.start_date < coalesce(b.end_date, {_FAR_FUTURE})
             and b.start_date < coalesce(a.end_date, {_FAR_FUTURE})
            group by all)""")
    return ctes


def _rows_sql(entity: Entity, expectations: list[dict]) -> str:
    """The loaded rows with helper columns that some expectation could find unexpected."""
    suspect = " or ".join(f"({suspect_condition(e)})" for e in expectations) or "false"
    return f"select * from ({_all_rows_sql(entity)}) where {suspect} order by la_code, _source_row"


def _all_rows_sql(entity: Entity) -> str:
    helpers = ["extracts.extract_date + 1 as _day_after_extract"]
    joins = ["left join extracts using (la_code)"]
    helpers += [f"least({', '.join('loaded.' + q(c) for c in o.earlier)}) as {q(o.helper)}"  # NULLs ignored
                for o in entity.order if o.helper != o.earlier]
    helpers += [f"strftime(loaded.{q(c.name)}, '%Y-%m-%d') as {q('_iso_' + c.name)}"  # a date's `pattern` is on its ISO text
                for c in entity.columns if c.is_date and c.pattern]
    for n, reference in enumerate(entity.references):  # the referenced row, as the loader matched it
        ref = f"ref{n}"
        unknown, dates = reference_helpers(reference)
        joins.append(f"left join raw.{reference.entity} {ref} on {ref}.la_code = loaded.la_code and "
                     + " and ".join(f"{ref}.{q(c)} = loaded.{q(c)}" for c in reference.columns))
        helpers.append(f"case when {ref}.la_code is null then loaded.{q(reference.columns[0])} end as {q(unknown)}")
        helpers += [f"{ref}.{q(column)} as {q(helper)}" for helper, column in dates.items()]
    if entity.one_of:
        helpers.append(f"coalesce({', '.join('loaded.' + q(c) for c in entity.one_of.columns)}) as _one_of")
    if checked_against_children(entity):
        kids = children_entity()
        joins.append(f"left join raw.{q(kids.name)} kids on kids.la_code = loaded.la_code "
                     f"and kids.{q(kids.key)} = loaded.{q(kids.key)}")
        helpers += [f"{birth_floor_sql('kids')} as _birth_floor",  # as the loader's before_birth
                    f"case when kids.{q(kids.key)} is null then loaded.{q(kids.key)} end as _orphan_child_id"]
    if entity.name in OVERLAP_ENTITIES:
        key = OVERLAP_ENTITIES[entity.name]
        joins.append(f"left join overlapping on overlapping.la_code = loaded.la_code and overlapping.id = loaded.{key}")
        helpers.append("overlapping.other as _overlaps_with")
    # a staff ID is shown as its pseudonym: the frame's values reach Data Docs and audit.data_quality
    staff = ", ".join(f"{pseudonym_sql('loaded.' + q(c.name), c.pseudonym)} as {q(c.name)}"
                      for c in entity.columns if c.pseudonym)
    rows = f"loaded.* replace ({staff})" if staff else "loaded.*"
    return f"select {rows}, {', '.join(helpers)} from loaded {' '.join(joins)}"


def _las_sql(entity: Entity) -> str:
    """LAs that supplied a readable file (a file that could not be read is file_usable's failure)."""
    overlap = "0.0"
    if entity.name in OVERLAP_ENTITIES:
        overlap = """coalesce((select count(*) from overlapping o where o.la_code = s.la_code)
                              / nullif((select count(*) from loaded l where l.la_code = s.la_code), 0), 0.0)"""
    return f"""
        select s.la_code, s.rows_supplied as _rows_supplied,
               coalesce(s.rows_quarantined / nullif(s.rows_supplied, 0), 0.0) as _quarantine_share,
               {overlap} as _overlap_share,
               nullif(array_to_string(from_json(coalesce(s.missing_columns, '[]'), '["VARCHAR"]'), ', '), '')
                   as _missing_columns
        from raw.supplied_entities s
        where s.entity = '{entity.name}' and s.la_code in (select la_code from extracts)
          and (s.rows_supplied > 0 or not exists (
                select 1 from audit.dataset_issues i
                where i.la_code = s.la_code and i.entity = s.entity and i.severity = 'error'))
        order by s.la_code"""


def _months_sql(entity: Entity) -> str:
    """Rows per month over the months the indicators report (history_months up to the last complete
    month: the month of the extract date when that is the month's last day, else the month before),
    each compared with the month before it. Older months are backdated history, sparse by nature."""
    d = q(VOLUME_DATE[entity.name])
    return f"""
        , firsts as (select la_code, date_trunc('month', min({d})) as first_month from loaded group by 1),
        windows as (
            select la_code, first_month, date_trunc('month', extract_date + 1) - interval 1 month as last_month,
                   last_month - interval {history_months() - 1} month as first_reported
            from firsts join extracts using (la_code)),
        series as (  -- from the month before the first reported one, so that one has a comparison
            select la_code, first_reported, unnest(generate_series(greatest(first_month, first_reported - interval 1 month),
                       last_month, interval 1 month))::date as month
            from windows),
        counts as (select la_code, date_trunc('month', {d})::date as month, count(*) as n from loaded group by all),
        months as (
            select la_code, month, first_reported, coalesce(n, 0) as n,
                   lag(coalesce(n, 0)) over (partition by la_code order by month) as previous
            from series left join counts using (la_code, month))
        select la_code, strftime(month, '%Y-%m') as _month, n as _month_rows, previous as _previous_month_rows,
               case when previous >= {MIN_VOLUME_BASE} then n / previous end as _month_ratio
        from months where month >= first_reported order by la_code, month"""

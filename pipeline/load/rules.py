"""The row-level rules of extracts.md as SQL, written once for a group of files landed together.

A group is files of one entity whose headers are the same (pipeline/load/land.py), stacked in one
table of text columns, _in, with `_file` saying which file a row came from. Everything that differs
between the files of a group (the LA, its extract date, its children, a defect of the whole file)
comes from the table `_files` (one row per file: `_file`, la_code, label, sha256, extract_date,
rule, message) or is partitioned by `_file`, never written into the SQL as a literal: so one
select types the whole group and one select finds every broken rule of it, whether the group
holds one file or every LA's.
"""

from pipeline.cut import MAX_MESSAGE_CHARS, cut_sql
from pipeline.specs import Column, Condition, Entity, checked_against_children, children_entity, code_lists

FLAG_TRUE = ("Y", "YES", "TRUE", "T", "1")
FLAG_FALSE = ("N", "NO", "FALSE", "F", "0")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y",
]
EARLIEST_DATE = "1900-01-01"  # a date before this is a typo (year 0024), not a record
MAX_CELL_CHARS = 32767  # Excel's limit for one cell: anything longer is a broken export
FILE = "join _files f on f._file = t._file"  # the file's own values (LA, extract date, file defect)


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def lit(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def file_column(columns: list[str]) -> str:
    """The name of _in's column saying which file a row came from: `_file`, unless the files have a
    column of that name (any header may be supplied); _typed and _bad call it `_file` whatever it is."""
    taken = {c.lower() for c in columns}  # DuckDB names compare case-insensitively
    name = "_file"
    while name in taken:
        name = "_" + name
    return name


def birth_floor_sql(kids: str) -> str:
    """The earliest date an event of the child may have (entities.yml birth_floor), on the children
    row `kids`: the earliest of the floor's dates that are given."""
    terms = [f"{kids}.{q(t.column)}" + (f" - interval {t.months_before} month" if t.months_before else "")
             for t in children_entity().birth_floor]
    return f"least({', '.join(terms)})::date"


def birth_shown_sql(kids: str) -> str:
    """The child's birth as messages show it: the first floor date given ("expected 2024-06-01")."""
    terms = [(f"{lit(t.shown_as + ' ')} || " if t.shown_as else "") + f"{kids}.{q(t.column)}::varchar"
             for t in children_entity().birth_floor]
    return f"coalesce({', '.join(terms)})"


def typed_expr(col: Column, raw: str) -> str:
    if col.type in ("id", "string"):
        return raw
    if col.type == "code":
        return f"upper({raw})"
    if col.type == "flag":
        return (f"case when upper({raw}) in {FLAG_TRUE} then 'Y' "
                f"when upper({raw}) in {FLAG_FALSE} then 'N' end")
    if col.type == "date":
        return f"try_strptime({raw}, {DATE_FORMATS})::date"
    if col.type == "datetime":
        return f"try_strptime({raw}, {DATETIME_FORMATS})"
    if col.type == "integer":
        # whole numbers only: try_cast would round '1.5' to 2 without a word
        return f"case when regexp_full_match({raw}, '[+-]?[0-9]{{1,18}}') then cast({raw} as bigint) end"
    if col.type == "decimal":
        # at most `scale` decimals (trailing zeros aside): a cast would round 0.333 to 0.33 without a word
        whole, scale = 18 - col.scale, col.scale
        number = rf"[+-]?([0-9]{{1,{whole}}}(\.[0-9]{{0,{scale}}}0*)?|\.[0-9]{{1,{scale}}}0*)"
        return f"case when regexp_full_match({raw}, '{number}') then cast({raw} as {col.sql_type}) end"
    raise ValueError(f"unknown column type {col.type}")


def typed_sql(entity: Entity, by_name: dict[str, str], extras: list[str], columns_in: list[str], file: str) -> str:
    """Temp table _typed: per row of _in, each contract column as supplied (r_) and typed (t_)."""
    parts = [f"{q(file)} as _file", "_row", "_location" if "_location" in columns_in else "'row ' || _row as _location"]
    for col in entity.columns:
        column = by_name.get(col.name)
        raw = f"nullif(trim({q(column)}), '')" if column else "NULL::varchar"
        parts.append(f"{raw} as {q('r_' + col.name)}")
        parts.append(f"{typed_expr(col, raw)} as {q('t_' + col.name)}")
    extra = ", ".join(f"{lit(c)}, {q(c)}" for c in extras)
    parts.append(f"json_object({extra})::varchar as _extra" if extras else "NULL::varchar as _extra")
    parts.append("_cell_issues" if "_cell_issues" in columns_in else "NULL::varchar as _cell_issues")
    return f"create or replace temp table _typed as select {', '.join(parts)} from _in"


def condition_sql(test: tuple, value: str) -> str:
    """SQL true when a row meets one side of a Condition, (column, 'given' | 'empty' | codes); `value`
    formats a column name into the SQL of its typed value."""
    column, wanted = test
    typed = value.format(column)
    if wanted == "given":
        return f"{typed} is not null"
    if wanted == "empty":
        return f"{typed} is null"
    return f"coalesce({typed} in ({', '.join(lit(c) for c in wanted)}), false)"


def condition_message(condition: Condition, shown: str | None) -> str:
    """SQL of the message for a row breaking a condition ('worker_role is empty although worker_id is
    given'); `shown`: SQL of the `then` column's value, None where no message may show it (a staff ID)."""
    def said(test: tuple, broken: bool) -> str:
        column, wanted = test
        if isinstance(wanted, tuple):
            return f"{column} is {'not ' if broken else ''}{' or '.join(wanted)}"
        return f"{column} is {'given' if (wanted == 'given') != broken else 'empty'}"

    column, wanted = condition.then
    then = lit(said(condition.then, True))
    if isinstance(wanted, tuple) and shown:  # name the value that is not allowed
        then = f"{lit(column + ' value ' + chr(39))} || {shown} || {lit(chr(39) + ' is not ' + ' or '.join(wanted))}"
    return f"{then} || {lit(' although ' + said(condition.if_, False))}"


def violations_sql(entity: Entity, missing: list[str], columns: list[str], file: str,
                   hidden: frozenset[str] = frozenset()) -> str:
    """Temp table _bad: one select per rule; each yields (_file, _row, column_name, raw_value, rule, message).
    `hidden`: the columns of _in holding staff IDs, whose values no message may show (pipeline/pseudonyms.py)."""
    checks: list[str] = [
        # a defect of the whole file (wrong delimiter, a repeated column, two files for one entity)
        f"select t._file, t._row, NULL, NULL, f.rule, f.message from _typed t {FILE} where f.rule is not null",
        """select t._file, t._row, i."column", i."value", i."rule", i."message"
           from _typed t, unnest(from_json(t._cell_issues,
                '[{"column": "VARCHAR", "value": "VARCHAR", "rule": "VARCHAR", "message": "VARCHAR"}]')) as u(i)
           where t._cell_issues is not null""",
    ]

    def add(column, raw: str, rule: str, message: str, where: str, extra_from: str = "", source: str = "_typed") -> None:
        file_of = "t._file" if source == "_typed" else f"t.{q(file)}"
        checks.append(f"select {file_of}, t._row, {lit(column)}, {raw}, {lit(rule)}, {message} "
                      f"from {source} t {extra_from} where {where}")

    for c in columns:  # on the cells as supplied, before trimming and typing
        visible = f"replace({q(c)}, chr(0), '<NUL>')"
        value = "" if c in hidden else f" value ''' || {cut_sql(visible)} || '''"
        add(c, visible, "nul_byte",
            f"'{c.replace(chr(39), chr(39) * 2)}{value} holds a NUL byte "
            "(an invisible control character): a damaged export?'",
            f"contains({q(c)}, chr(0))", source="_in")
        add(c, q(c), "value_too_long",
            f"'{c.replace(chr(39), chr(39) * 2)} holds ' || length({q(c)}) || ' characters (more than {MAX_CELL_CHARS}, "
            "the most a spreadsheet cell can hold)'",
            f"length({q(c)}) > {MAX_CELL_CHARS}", source="_in")

    for col in entity.columns:
        r, t = f"t.{q('r_' + col.name)}", f"t.{q('t_' + col.name)}"
        shown = f"'value ''' || {cut_sql(r)} || ''''"
        if col.name in missing:
            add(col.name, "NULL", "missing_column", lit(f"required column {col.name} is missing from the file"), "true")
            continue
        if col.required:
            add(col.name, r, "required", lit(f"{col.name} is required but empty"), f"{r} is null")
        if col.type in ("date", "datetime", "flag", "integer", "decimal"):
            what = {"date": "a date (YYYY-MM-DD or DD/MM/YYYY)", "datetime": "a date and time (YYYY-MM-DD HH:MM[:SS])",
                    "flag": "Y or N", "integer": "a whole number",
                    "decimal": f"a number with at most {col.scale} decimals"}[col.type]
            add(col.name, r, f"invalid_{col.type}", f"'{col.name} ' || {shown} || ' is not {what}'",
                f"{r} is not null and {t} is null")
        if col.is_date:
            add(col.name, r, f"invalid_{col.type}", f"'{col.name} ' || {shown} || ' is before {EARLIEST_DATE}: a typo?'",
                f"{t}::date < date '{EARLIEST_DATE}'")
        if col.codes:
            codes = code_lists()[col.codes]
            add(col.name, r, "unknown_code", f"'{col.name} ' || {shown} || ' is not in code list {col.codes}'",
                f"{t} is not null and {t} not in ({', '.join(lit(c) for c in codes)})")
        if col.pattern:  # a date is matched in its ISO form, whatever form it was supplied in
            text = f"strftime({t}, '%Y-%m-%d')" if col.is_date else t
            broken = (f"is not {col.pattern_means}" if col.pattern_means else f"does not match {col.pattern}")
            add(col.name, r, "invalid_date" if col.is_date else "invalid_code",
                f"'{col.name} ' || {shown} || ' {broken.replace(chr(39), chr(39) * 2)}'",
                f"{t} is not null and not regexp_full_match({text}, {lit(col.pattern)})")
        if col.min is not None:
            add(col.name, r, "below_minimum",
                f"'{col.name} ' || {shown} || ' is {'not above' if col.min_exclusive else 'below'} {col.min:g}'",
                f"{t} {'<=' if col.min_exclusive else '<'} {col.min}")
        if col.max is not None:
            add(col.name, r, "above_maximum", f"'{col.name} ' || {shown} || ' is above {col.max:g}'", f"{t} > {col.max}")
        if col.future_limit_days is not None:
            add(col.name, r, "implausible_date",
                f"'{col.name} ' || {shown} || ' is more than {col.future_limit_days} days after the extract date ' || "
                "f.extract_date::varchar || ': a typo?'",
                f"{t}::date > f.extract_date + {col.future_limit_days}", FILE)
        if col.is_date and not col.future_allowed:
            add(col.name, r, "date_after_extract",
                f"'{col.name} ' || {shown} || ' is after the extract date ' || f.extract_date::varchar",
                f"{t}::date > f.extract_date", FILE)

    if entity.key and entity.key not in missing:
        k = f"t.{q('t_' + entity.key)}"
        add(entity.key, f"t.{q('r_' + entity.key)}", "duplicate_id",
            f"'{entity.key} ''' || {k} || ''' appears more than once in the file'", "true",
            # within one file: the same ID in two LAs' files is two children
            f"join (select _file, {q('t_' + entity.key)} as _id from _typed group by all having count(*) > 1) d "
            f"on d._file = t._file and d._id = {k}")

    if entity.unique and not set(entity.unique) & set(missing):
        # the columns together, as a key alone: every copy is quarantined (which is right is unknowable)
        typed = [q("t_" + c) for c in entity.unique]
        together = " || ', ' || ".join(f"coalesce(t.{k}::varchar, '')" for k in typed)
        add(entity.unique[-1], f"t.{q('r_' + entity.unique[-1])}", "duplicate_id",
            f"'({', '.join(entity.unique)}) (' || {together} || ') appears more than once in the file'", "true",
            f"join (select _file, {', '.join(typed)} from _typed group by all having count(*) > 1) d "
            f"on d._file = t._file and " + " and ".join(f"d.{k} = t.{k}" for k in typed))

    typed_of = 't."t_{}"'
    for condition in entity.conditions:
        if condition.severity != "error" or {condition.if_[0], condition.then[0]} & set(missing):
            continue  # warnings are reported by the quality gate, the row still loads
        then = condition.then[0]
        shown = None if entity.column(then).pseudonym else cut_sql(f"t.{q('r_' + then)}")
        add(then, f"t.{q('r_' + then)}", condition.rule, condition_message(condition, shown),
            f"{condition_sql(condition.if_, typed_of)} and not {condition_sql(condition.then, typed_of)}")

    for ref in entity.references:
        if set(ref.columns) & set(missing):
            continue
        # the row's columns must match a row of the referenced entity of the same LA (loaded before this one)
        match = " and ".join(f"p.{q(c)} = t.{q('t_' + c)}" for c in ref.columns)
        described = " || ' with ' || ".join(f"'{c} ''' || t.{q('t_' + c)} || ''''" for c in ref.columns)
        add(ref.columns[0], f"t.{q('r_' + ref.columns[0])}", "unknown_reference",
            f"{described} || ' is not in {ref.entity}'",
            " and ".join(f"t.{q('t_' + c)} is not null" for c in ref.columns),
            f"{FILE} anti join raw.{ref.entity} p on p.la_code = f.la_code and {match}")
        for order in ref.order:
            if order.severity != "error":
                continue  # a warning: the quality gate reports it, the row still loads
            a, b = f"p.{q(order.earlier)}", f"t.{q('t_' + order.later)}"
            add(order.later, f"t.{q('r_' + order.later)}", order.rule,
                f"'{order.later} ' || {b}::varchar || ' is before the {ref.entity} {order.earlier} ' || {a}::varchar",
                f"{b}::date < {a}::date", f"{FILE} join raw.{ref.entity} p on p.la_code = f.la_code and {match}")

    for order in entity.order:
        if order.severity != "error":
            continue  # warnings are reported by the quality gate, the row still loads
        earlier = (order.earlier,) if isinstance(order.earlier, str) else order.earlier
        a, b = f"least({', '.join('t.' + q('t_' + c) for c in earlier)})", f"t.{q('t_' + order.later)}"  # NULLs ignored
        # two times of day compare as times (a decision at 09:00 before a 10:00 contact); otherwise by date
        timed = {entity.column(c).type for c in (*earlier, order.later)} == {"datetime"}
        add(order.later, f"t.{q('r_' + order.later)}", order.rule,
            f"'{order.later} ' || {b}::varchar || ' is before {' and '.join(earlier) if len(earlier) == 1 else 'the earliest of ' + ', '.join(earlier)} ' || {a}::varchar",
            f"{b} < {a}" if timed else f"{b}::date < {a}::date")

    if entity.one_of:  # entities.yml one_of: at least one of the columns is given
        first, *rest = entity.one_of.columns
        add(first, f"t.{q('r_' + first)}", "required",
            lit(f"{first} is required unless {' or '.join(rest)} is given ({entity.one_of.why})"),
            " and ".join(f"t.{q('r_' + c)} is null" for c in entity.one_of.columns))
    if checked_against_children(entity):
        kids = children_entity()
        key, t_key = kids.key, f"t.{q('t_' + kids.key)}"
        children_of_la = f"raw.{q(kids.name)} c on c.la_code = f.la_code and c.{q(key)} = {t_key}"  # the file's own LA
        add(key, f"t.{q('r_' + key)}", "orphan_child",
            f"'{key} ''' || {t_key} || ''' is not in {kids.name}'", f"{t_key} is not null",
            f"{FILE} anti join {children_of_la}")
        for col in entity.columns:
            if not col.is_date:
                continue
            t = f"t.{q('t_' + col.name)}"
            add(col.name, f"t.{q('r_' + col.name)}", "before_birth",
                f"'{col.name} ' || {t}::date::varchar || ' is before the child''s date of birth ' || {birth_shown_sql('c')}",
                f"{t}::date < {birth_floor_sql('c')}", f"{FILE} join {children_of_la}")

    empty = "select null::integer, null::bigint, null::varchar, null::varchar, null::varchar, null::varchar where false"
    union = "\nunion all\n".join([empty, *checks])
    # values and messages cut here, once for every rule: a 200 MB cell is shown by its start and length
    return (f"create or replace temp table _bad as select _file, _row, column_name, {cut_sql('raw_value')} as raw_value, "
            f"rule, {cut_sql('message', MAX_MESSAGE_CHARS)} as message from "
            f"({union}) as v(_file, _row, column_name, raw_value, rule, message)")

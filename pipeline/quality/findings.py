"""The findings report `pipeline validate` prints: per LA and file, rows supplied, loaded and
quarantined, quarantined rows by rule (with examples), dataset issues and failed checks. The notice to a
held-back LA (pipeline/notices/) is the same report without the supplied values."""

from collections.abc import Callable

from pipeline.errors import EXIT_HELD_BACK, EXIT_OK
from pipeline.publish import la_verdicts

EXAMPLES_PER_RULE = 5  # quarantined rows listed per file and rule; the counts are always complete
ROWS_NAMED = 50  # row numbers named per file and rule when the values may not be shown


def print_findings(con, la_code: str | None = None, say: Callable[[str], None] = print, values: bool = True) -> int:
    """Per LA (or only la_code), per file: rows supplied/loaded/quarantined, quarantined rows by rule,
    dataset issues and failed checks, each line to `say`. `values` False: each quarantine rule's rows and
    columns instead of its example messages, which show supplied values (the issue and check messages never
    do: they are published, pipeline.quality.gate._message). Exit EXIT_HELD_BACK when any error-level rule
    failed (a row quarantined, or an LA held back)."""
    verdicts = [v for v in la_verdicts(con) if la_code is None or v.la_code == la_code]
    files = {(la, e): (f, n, loaded, quarantined) for la, e, f, n, loaded, quarantined in con.execute(
        "select la_code, entity, source_file, rows_supplied, rows_loaded, rows_quarantined from raw.supplied_entities"
    ).fetchall()}
    issues = con.execute("select la_code, entity, rule, severity, message from audit.dataset_issues order by all").fetchall()
    checks = con.execute(
        """select la_code, entity, check_name, severity, rows_failed, json_extract_string(details, '$.message')
           from audit.data_quality where not passed and check_name not in ('file_usable', 'manifest_valid')
           order by la_code, entity, severity, check_name""").fetchall()
    issue_rules = {(la, e, rule) for la, e, rule, _, _ in issues}
    n_errors = n_warnings = n_quarantined = 0
    las = {v.la_code for v in verdicts}
    # entries that are not LAs, e.g. a hidden folder, or one without a manifest (an error: its files are not read)
    for folder, _, rule, sev, msg in (i for i in issues if i[1] == "inbox" and i[0] not in las
                                      and la_code in (None, i[0])):
        say(f"inbox: {sev.upper()} {with_rule(msg, rule)}")
        n_warnings += sev == "warning"
        n_errors += sev == "error"
    for v in verdicts:
        say(f"{v.la_code}: {'would publish' if v.status == 'published' else 'would be HELD BACK'}"
            + (f" (extract {v.extract_date})" if v.extract_date else ""))
        entities = ["manifest", *sorted({e for la, e in files if la == v.la_code}
                                        | {e for la, e, *_ in issues if la == v.la_code and e != "manifest"}
                                        | {e for la, e, *_ in checks if la == v.la_code and e != "manifest"})]
        for entity in entities:
            source, supplied, loaded, quarantined = files.get((v.la_code, entity), (None, None, None, None))
            lines = [f"{sev.upper()} {with_rule(msg, rule)}" for la, e, rule, sev, msg in issues
                     if la == v.la_code and e == entity]
            lines += [f"{sev.upper()} {name}: {msg or f'{failed} rows'}" for la, e, name, sev, failed, msg in checks
                      if la == v.la_code and e == entity and (la, e, name) not in issue_rules]
            n_errors += sum(line.startswith("ERROR") for line in lines)
            n_warnings += sum(line.startswith("WARNING") for line in lines)
            if entity == "manifest":
                say(f"  manifest.yml: {'ok' if not lines else ''}".rstrip())
            elif source is not None:
                say(f"  {source}: {supplied} rows supplied, {loaded} loaded, {quarantined} quarantined")
                n_quarantined += quarantined or 0
                lines += quarantine_lines(con, v.la_code, entity, values)
            else:
                say(f"  {entity}: not supplied")
            for line in lines:
                say(f"    {line}")
    held = [v.la_code for v in verdicts if v.status != "published"]
    say(f"{len(verdicts)} LA(s): {len(verdicts) - len(held)} would publish, {len(held)} would be held back"
        f"{' (' + ', '.join(held) + ')' if held else ''}; {n_quarantined} row(s) quarantined; "
        f"{n_errors} error(s), {n_warnings} warning(s)")
    return EXIT_HELD_BACK if held or n_quarantined or n_errors else EXIT_OK


def with_rule(message: str, rule: str) -> str:
    """The message ending in '(rule X)', once: loader messages often say it already."""
    return message if message.rstrip().endswith(f"(rule {rule})") else f"{message} (rule {rule})"


def quarantine_lines(con, la: str, entity: str, values: bool = True) -> list[str]:
    if not values:
        return quarantine_rows(con, la, entity)
    lines = []
    for rule, n, messages in con.execute(
        f"""select rule, count(distinct row_number),
                   list(message order by row_number, column_name)[1:{EXAMPLES_PER_RULE}]
            from audit.quarantine where la_code = $la and entity = $e group by rule order by rule""",
        {"la": la, "e": entity},
    ).fetchall():
        lines.append(f"QUARANTINED {n} row(s) by rule {rule}:")
        lines += [f"  {m}" for m in messages]
        if n > len(messages):
            lines.append(f"  ... and {n - len(messages)} more (after a refresh, all are in audit.quarantine of the "
                         "restricted <warehouse stem>.audit.duckdb)")
    return lines


def quarantine_rows(con, la: str, entity: str) -> list[str]:
    """Per rule: how many rows, which (the first ROWS_NAMED) and in which columns; never a value."""
    lines = []
    for rule, n, rows, columns in con.execute(
        f"""select rule, count(distinct row_number), list(distinct row_number order by row_number)[1:{ROWS_NAMED}],
                   string_agg(distinct column_name, ', ' order by column_name)
            from audit.quarantine where la_code = $la and entity = $e group by rule order by rule""",
        {"la": la, "e": entity},
    ).fetchall():
        more = f" and {n - len(rows)} more" if n > len(rows) else ""
        lines.append(f"QUARANTINED {n} row(s) by rule {rule}: row(s) {', '.join(map(str, rows))}{more}"
                     + (f"; column(s) {columns}" if columns else ""))
    return lines

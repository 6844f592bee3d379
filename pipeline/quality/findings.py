"""The findings report `pipeline validate` prints: per LA and file, rows supplied, loaded and
quarantined, quarantined rows by rule (with examples), dataset issues and failed checks."""

from pipeline.errors import EXIT_HELD_BACK, EXIT_OK
from pipeline.publish import la_verdicts

EXAMPLES_PER_RULE = 5  # quarantined rows listed per file and rule; the counts are always complete


def print_findings(con, la_code: str | None = None) -> int:
    """Per LA (or only la_code), per file: rows supplied/loaded/quarantined, quarantined rows by rule,
    dataset issues and failed checks. Exit EXIT_HELD_BACK when any error-level rule failed (a row quarantined, or
    an LA held back)."""
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
    for folder, _, rule, sev, msg in (i for i in issues if i[1] == "inbox" and i[0] not in las and la_code is None):
        print(f"inbox: {sev.upper()} {with_rule(msg, rule)}")  # entries that are not LAs, e.g. a hidden folder
        n_warnings += sev == "warning"
        n_errors += sev == "error"
    for v in verdicts:
        print(f"{v.la_code}: {'would publish' if v.status == 'published' else 'would be HELD BACK'}"
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
                print(f"  manifest.yml: {'ok' if not lines else ''}".rstrip())
            elif source is not None:
                print(f"  {source}: {supplied} rows supplied, {loaded} loaded, {quarantined} quarantined")
                n_quarantined += quarantined or 0
                lines += quarantine_lines(con, v.la_code, entity)
            else:
                print(f"  {entity}: not supplied")
            for line in lines:
                print(f"    {line}")
    held = [v.la_code for v in verdicts if v.status != "published"]
    print(f"{len(verdicts)} LA(s): {len(verdicts) - len(held)} would publish, {len(held)} would be held back"
          f"{' (' + ', '.join(held) + ')' if held else ''}; {n_quarantined} row(s) quarantined; "
          f"{n_errors} error(s), {n_warnings} warning(s)")
    return EXIT_HELD_BACK if held or n_quarantined or n_errors else EXIT_OK


def with_rule(message: str, rule: str) -> str:
    """The message ending in '(rule X)', once: loader messages often say it already."""
    return message if message.rstrip().endswith(f"(rule {rule})") else f"{message} (rule {rule})"


def quarantine_lines(con, la: str, entity: str) -> list[str]:
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

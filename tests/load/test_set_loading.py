"""Set-based loading (pipeline/load/land.py): every LA's file of an entity lands in one go, judged
exactly as if it were landed alone, and a group whose SQL fails falls back to one file at a time."""

import duckdb

import pipeline.load.group as group
from pipeline.load.inbox import discover, entity_sources
from pipeline.load.land import land_entities, load_manifests
from pipeline.load.tables import ensure_tables
from pipeline.specs import entities
from tests.inbox_builder import write_la
from tests.load.helpers import land_entity

CHILDREN = [{"child_id": "001", "sex": "M", "date_of_birth": "2015-01-01"},
            {"child_id": "002", "sex": "F", "date_of_birth": "2016-03-02"}]


def referral(rid, child_id="001", referral_date="2024-01-05", **overrides):
    return {"referral_id": rid, "child_id": child_id, "referral_date": referral_date, "referral_source": "1A",
            "referral_nfa": "N", **overrides}


def three_las(inbox) -> None:
    """Three LAs whose referrals differ only in what is per LA: the children, the extract date, the IDs."""
    write_la(inbox, "X1", {"children": CHILDREN, "referrals": [referral("R1"), referral("R2", child_id="002"),
                                                                referral("R9", referral_source="ZZ")]})
    # 002 is a child of X1 only: an orphan here; R1 is X1's ID too, but a duplicate only within a file
    write_la(inbox, "X2", {"children": CHILDREN[:1], "referrals": [referral("R1"), referral("R2", child_id="002"),
                                                                    referral("R3"), referral("R3")]})
    # an earlier extract: 2024-01-05 is after it here, not in X1
    write_la(inbox, "X3", {"children": CHILDREN, "referrals": [referral("R1"), referral("R4", referral_date="2023-05-01")]},
             extract_date="2023-12-31")


def landed(inbox, together: bool):
    """Children, then referrals, of every LA: all LAs at once, or one LA at a time."""
    con = duckdb.connect()
    ensure_tables(con)
    las = discover(inbox)
    load_manifests(con, las, "run-1")
    sources = {la.la_code: entity_sources(la) for la in las}
    results = {}
    for name in ("children", "referrals"):
        extracts = [(la, sources[la.la_code].get(name)) for la in las]
        if together:
            results[name] = land_entities(con, entities()[name], extracts, "run-1")
        else:
            results[name] = [land_entity(con, la, entities()[name], source, "run-1") for la, source in extracts]
    return con, results


def outcome(con) -> dict:
    return {table: con.execute(f"select * from {table} order by all").fetchall() for table in (
        "raw.children", "raw.referrals", "audit.quarantine", "raw.supplied_entities", "audit.dataset_issues")}


def counting(monkeypatch, fail_for: str | None = None) -> list[list[str]]:
    """Record the LAs of every raw insert; with fail_for, an insert of referrals holding that LA fails."""
    calls, insert = [], group.insert_raw

    def insert_raw(con, entity, run_id):
        las = [r[0] for r in con.execute("select la_code from _files order by 1").fetchall()]
        calls.append(las)
        if entity.name == "referrals" and fail_for in las:
            raise duckdb.ConversionException("an odd value")
        insert(con, entity, run_id)

    monkeypatch.setattr(group, "insert_raw", insert_raw)
    return calls


def test_every_la_of_an_entity_lands_with_one_insert_and_as_if_alone(inbox, monkeypatch):
    three_las(inbox)
    alone, _ = landed(inbox, together=False)
    calls = counting(monkeypatch)
    con, results = landed(inbox, together=True)
    assert calls == [["X1", "X2", "X3"]] * 2  # children, then referrals: one insert each for all three LAs
    assert outcome(con) == outcome(alone)
    rules = {(r[0], r[3], r[6]) for r in con.execute("select * from audit.quarantine").fetchall()}
    assert rules == {("X1", 4, "unknown_code"), ("X2", 3, "orphan_child"), ("X2", 4, "duplicate_id"),
                     ("X2", 5, "duplicate_id"), ("X3", 2, "date_after_extract")}
    assert [(r.la_code, r.rows_supplied, r.rows_loaded, r.rows_quarantined) for r in results["referrals"]] == [
        ("X1", 3, 2, 1), ("X2", 4, 1, 3), ("X3", 2, 1, 1)]


def test_a_group_that_fails_is_landed_file_by_file_and_fails_only_the_odd_la(inbox, monkeypatch):
    three_las(inbox)
    alone, _ = landed(inbox, together=False)
    calls = counting(monkeypatch, fail_for="X2")
    con, results = landed(inbox, together=True)
    # the group of three failed (after its quarantine insert), then each LA was landed on its own
    assert calls == [["X1", "X2", "X3"], ["X1", "X2", "X3"], ["X1"], ["X2"], ["X3"]]
    x1, x2, x3 = results["referrals"]
    assert (x2.rows_supplied, x2.rows_loaded, x2.rows_quarantined) == (0, 0, 0)
    assert x2.issues == [("load_failed", "error", "X2/referrals.csv: could not be loaded "
                                                  "(ConversionException: an odd value)")]
    assert con.execute("select count(*) from raw.referrals where la_code = 'X2'").fetchone()[0] == 0
    assert con.execute("select file_sha256 from raw.supplied_entities where la_code = 'X2' and entity = 'referrals'"
                       ).fetchall() == [(None,)]
    # the other LAs are exactly as if landed alone: nothing of the failed attempt is left or doubled
    def others(table, rows):  # all but X2's referrals
        return [r for r in rows if not ("X2" in r and (table == "raw.referrals" or "referrals" in r))]

    got, want = outcome(con), outcome(alone)
    for table, rows in got.items():
        assert others(table, rows) == others(table, want[table]), table
    assert not [r for r in got["audit.quarantine"] if r[0] == "X2"]
    assert x1.rows_loaded == 2 and x3.rows_loaded == 1


def test_a_supplied_column_named_like_the_file_index_is_kept_as_an_extra(inbox):
    """Rows are stacked with a column naming their file: a supplier's column of that name (any case)
    must neither clash with it nor be taken for it."""
    for code in ("X1", "X2"):
        write_la(inbox, code, {"children": CHILDREN, "referrals": [
            referral("R1", _file="7", __FILE="x"), referral("R2", _file="not a number")]})
    con, results = landed(inbox, together=True)
    assert [(r.rows_loaded, r.issues) for r in results["referrals"]] == [(2, []), (2, [])]
    assert con.execute("select la_code, referral_id, _extra from raw.referrals order by 1, 2").fetchall() == [
        (code, rid, extra) for code in ("X1", "X2") for rid, extra in (
            ("R1", '{"_file":"7","__FILE":"x"}'), ("R2", '{"_file":"not a number","__FILE":""}'))]


def test_files_are_parsed_with_the_cyclic_garbage_collector_paused(inbox, monkeypatch):
    """Parsing makes millions of objects; in a refresh's heap the collector's full passes cost as much
    as the parsing (land._gc_paused). It must be paused while a file is read, and on again after."""
    import gc

    import pipeline.load.land as land

    seen, read = [], land.read_source

    def read_source(source, entity):
        seen.append(gc.isenabled())
        return read(source, entity)

    monkeypatch.setattr(land, "read_source", read_source)
    three_las(inbox)
    landed(inbox, together=True)
    assert seen == [False] * 6 and gc.isenabled()


def large_referrals(inbox, rows: int = 3000) -> None:
    """X1's referrals: a simple first half (pyarrow's pieces), then quoted values holding newlines
    (the csv module's pieces), with an unknown code every 7th row and a row too long every 11th,
    so every piece boundary has bad rows on both sides, and some quoted newline spans a block."""
    write_la(inbox, "X1", {"children": CHILDREN, "referrals": [referral("R0")]})
    write_la(inbox, "X2", {"children": CHILDREN, "referrals": [referral("R1"), referral("R2", referral_source="ZZ")]})
    lines = ["referral_id,child_id,referral_date,referral_source,referral_nfa,notes"]
    for i in range(rows):
        source = "ZZ" if i % 7 == 0 else "1A"
        note = f'"seen\nagain, {i}"' if i > rows // 2 and i % 3 == 0 else "none"
        lines.append(f"R{i},001,2024-01-05,{source},N,{note}" + (",extra" if i > rows // 2 and i % 11 == 0 else ""))
    (inbox / "X1" / "referrals.csv").write_text("\n".join(lines) + "\n")


def test_a_large_file_is_read_and_landed_in_pieces_exactly_as_whole(inbox, monkeypatch):
    """A CSV is never held whole (readers/delimited.py): it is read in pieces, and landed in several
    groups when larger than one (land.MAX_GROUP_ROWS). Row numbers, quarantine, counts and messages
    must be those of the file read at once, across piece boundaries and the switch from pyarrow's
    pieces to the csv module's."""
    import pipeline.load.land as land
    from pipeline.load.readers import delimited

    large_referrals(inbox)
    whole, _ = landed(inbox, together=True)
    calls = counting(monkeypatch)
    monkeypatch.setattr(delimited, "PIECE_BYTES", 4096)
    monkeypatch.setattr(land, "MAX_GROUP_ROWS", 400)
    con, results = landed(inbox, together=True)
    assert len([c for c in calls if "X1" in c]) > 5  # X1's referrals landed in several groups
    assert outcome(con) == outcome(whole)
    x1 = results["referrals"][0]
    assert (x1.rows_supplied, x1.rows_loaded, x1.rows_quarantined, x1.issues) == (3000, 2454, 546, [])
    quarantined = con.execute("select row_number, rule, message from audit.quarantine where la_code = 'X1' "
                              "and row_number in (9, 2003, 2004) order by 1, 2").fetchall()
    assert quarantined == [
        (9, "unknown_code", "X1/referrals.csv row 9: referral_source value 'ZZ' is not in code list referral_source"),
        (2004, "unknown_code", "X1/referrals.csv row 2004: referral_source value 'ZZ' is not in code list "
                               "referral_source"),
        (2004, "wrong_field_count", "X1/referrals.csv row 2004: row 2004 has 7 values but the header has 6 columns "
                                    "(extra: 'extra')")]


def test_a_quote_left_open_late_in_a_large_file_undoes_what_the_file_landed(inbox, monkeypatch):
    """The open quote is found only when the last piece is read, after earlier pieces landed: the
    file is unreadable as a whole (as when read at once), none of its rows stay, the other LA lands."""
    import pipeline.load.land as land
    from pipeline.load.readers import delimited

    large_referrals(inbox)
    with open(inbox / "X1" / "referrals.csv", "a") as f:
        f.write('R9999,001,2024-01-05,1A,N,"never closed\nR10000,001,2024-01-05,1A,N,none\n')
    calls = counting(monkeypatch)
    monkeypatch.setattr(delimited, "PIECE_BYTES", 4096)
    monkeypatch.setattr(land, "MAX_GROUP_ROWS", 400)
    con, results = landed(inbox, together=True)
    assert len([c for c in calls if "X1" in c]) > 5  # X1's pieces landed before the open quote was found
    x1, x2 = results["referrals"]
    assert (x1.rows_supplied, x1.rows_loaded, x1.rows_quarantined) == (0, 0, 0)
    assert x1.issues == [("unterminated_quote", "error", "X1/referrals.csv: row 3002: a quoted value is opened and "
                          "never closed, so the rest of the file cannot be split into rows (rule unterminated_quote)")]
    assert con.execute("select la_code, count(*) from raw.referrals group by 1").fetchall() == [("X2", 1)]
    assert con.execute("select distinct la_code from audit.quarantine where entity = 'referrals'").fetchall() == [("X2",)]
    assert (x2.rows_supplied, x2.rows_loaded, x2.issues) == (2, 1, [])


def test_a_failed_group_undoes_only_its_rows_not_earlier_pieces_of_a_large_file(inbox, monkeypatch):
    """X2's file fails the group it shares with the last piece of X1's large file: falling back to one
    file at a time must keep what X1's earlier pieces landed, so X1 lands exactly as when read whole."""
    import pipeline.load.land as land
    from pipeline.load.readers import delimited

    large_referrals(inbox)
    (inbox / "X2" / "referrals.csv").write_text("referral_id,child_id,referral_date,referral_source,referral_nfa,"
                                                "notes\nR1,001,2024-01-05,ZZ,N,none\n")
    whole, _ = landed(inbox, together=True)
    calls = counting(monkeypatch, fail_for="X2")
    monkeypatch.setattr(delimited, "PIECE_BYTES", 4096)
    monkeypatch.setattr(land, "MAX_GROUP_ROWS", 400)
    con, results = landed(inbox, together=True)
    assert ["X1", "X2"] in calls and len([c for c in calls if "X1" in c]) > 5  # the shared group failed
    x1, x2 = results["referrals"]
    assert (x1.rows_supplied, x1.rows_loaded, x1.rows_quarantined, x1.issues) == (3000, 2454, 546, [])
    assert [rule for rule, _, _ in x2.issues] == ["load_failed"]
    got, want = outcome(con), outcome(whole)
    for table in ("raw.referrals", "audit.quarantine"):
        assert got[table] == [r for r in want[table] if "X2" not in r], table

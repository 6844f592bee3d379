"""SSDA903 XML: the XML form of the public CSV sample (built at test time by ssda903_xml_sample.py)
lands exactly the rows the CSVs land, with quarantine messages naming the element; it is recognised
by its root element beside CSVs or a CIN census; DOCTYPEs (XXE, billion laughs), malformed files,
oversized files and foreign roots are dataset errors naming the file and rule; and it is read as a
stream."""

import csv
import tracemalloc
from collections import Counter
from datetime import date

import duckdb
import pytest

from pipeline.cli import main
from pipeline.load.adapters import ssda903, ssda903_xml
from pipeline.specs import format_spec
from pipeline.load.inbox import entity_sources, read_manifest
from tests.load.adapters.samples import (CIN_2024, SSDA903, la_folder, land_all, quarantine, require,
                                         write_ssda903_care)
from tests.load.adapters.ssda903_xml_sample import build_xml

CSV_FILES = [SSDA903 / f for f in ("header.csv", "episodes.csv", "uasc.csv", "oc3.csv", "missing.csv", "reviews.csv")]
ENTITIES = ("children", "cla_episodes", "care_leavers", "cla_reviews", "missing_episodes", "cla_oc2", "adoption")
CARE_XML = ("oc2_2018.csv", "ad1.csv", "placed_for_adoption.csv")  # DoLo has no known XML form: CSV only


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """B1: the CSV sample with our OC2, AD1 and placed_for_adoption files; X1: the same records as one
    SSDA903 XML."""
    require(*CSV_FILES)
    inbox = tmp_path_factory.mktemp("ssda903_xml") / "inbox"
    care = write_ssda903_care(la_folder(inbox, "B1", CSV_FILES, "2018-03-31"), CARE_XML)[0].parent
    build_xml(la_folder(inbox, "X1", [], "2018-03-31") / "903.xml", care=care)
    con, results = land_all(inbox)
    return inbox, con, results


def test_the_xml_is_recognised_by_its_root_element(landed):
    inbox, _, _ = landed
    folder = inbox / "X1"
    la = read_manifest(folder)
    assert la.ok and la.statutory == ("ssda903",) and not la.native and not la.warnings
    assert {e: s.label for e, s in entity_sources(read_manifest(folder)).items()} == {
        "children": "903.xml[header]", "cla_episodes": "903.xml[episodes]", "care_leavers": "903.xml[oc3]",
        "cla_reviews": "903.xml[reviews]", "missing_episodes": "903.xml[missing]", "cla_oc2": "903.xml[oc2]",
        "adoption": "903.xml[ad1 + placed_for_adoption]"}


def test_xml_and_csv_land_the_same_rows(landed):
    _, con, results = landed
    counts = {(la, e): (r.rows_supplied, r.rows_loaded, r.rows_quarantined) for (la, e), r in results.items() if r.source_file}
    assert {e: counts["X1", e] for e in ENTITIES} == {e: counts["B1", e] for e in ENTITIES}
    assert {e: counts["X1", e] for e in ENTITIES[:3] + ENTITIES[4:]} == {
        "children": (2675, 2675, 0), "cla_episodes": (5050, 5038, 12), "care_leavers": (53, 39, 14),
        "missing_episodes": (43, 43, 0), "cla_oc2": (4, 3, 1), "adoption": (3, 3, 0)}
    for entity in ENTITIES:
        rows = {la: Counter(con.execute(
            f"select * exclude (la_code, _source_file, _source_row, _file_sha256, _run_id) from raw.{entity} "
            "where la_code = $la", {"la": la}).fetchall()) for la in ("B1", "X1")}
        assert rows["X1"] == rows["B1"], entity
        assert sum(rows["X1"].values()) == counts["X1", entity][1]
        issues = {la: Counter(r[1:4] for r in quarantine(con, la, entity)) for la in ("B1", "X1")}
        assert issues["X1"] == issues["B1"], entity
    # UASC from the HEADER's UASC flag, as from uasc.csv
    assert con.execute("select uasc, count(*) from raw.children where la_code = 'X1' group by 1 order by 1").fetchall() == [
        ("N", 2543), ("Y", 132)]
    assert con.execute("select contact_date, in_touch from raw.care_leavers where la_code = 'X1' and child_id = '880820'"
                       ).fetchone() == (date(2018, 2, 1), "YES")


def _element_path(csv_row: int) -> str:
    """Independently of the reader: the element an episodes.csv row becomes (CHILD in header.csv order)."""
    with open(SSDA903 / "header.csv", newline="") as f:
        children = [r["CHILD"] for r in csv.DictReader(f)]
    with open(SSDA903 / "episodes.csv", newline="") as f:
        episodes = list(csv.DictReader(f))
    child = episodes[csv_row - 2]["CHILD"]
    nth = sum(e["CHILD"] == child for e in episodes[:csv_row - 1])
    return f"/EXPSSDA903/CHILD[{children.index(child) + 1}]/EPISODE[{nth}]"


def test_messages_name_the_element(landed):
    _, con, _ = landed
    [first, *_] = quarantine(con, "X1", "cla_episodes")
    assert first[4] == (f"X1/903.xml[episodes] {_element_path(218)}: end_date value '01/04/2018' is after the "
                        f"extract date 2018-03-31")  # episodes.csv row 218 in the CSV form
    leavers = {(r[1], r[2], r[3]): r[4] for r in quarantine(con, "X1", "care_leavers")}
    assert leavers["accommodation", "01", "invalid_code"].startswith("X1/903.xml[oc3] /EXPSSDA903/CHILD[")
    assert leavers["accommodation", "01", "invalid_code"].split(": ")[0].endswith("]/HEADER")


def test_xml_beside_csvs_and_a_cin_census(tmp_path):
    """Last year's CSVs and this year's XML merge, the later year winning; a CIN census beside them is
    still read as one."""
    require(*CSV_FILES, CIN_2024)
    folder = la_folder(tmp_path / "inbox", "X2", [CIN_2024], "2018-03-31")
    with open(SSDA903 / "episodes.csv", newline="") as f:
        reader = csv.DictReader(f)
        header, episodes = reader.fieldnames, list(reader)
    # 2016-17: episodes started by 31 March 2017, the first one still open then and differently coded
    last_year = [{**e, "DEC": "", "REC": "", "RNE": "S"} if (e["CHILD"], e["DECOM"]) == ("566910", "15/02/2016") else e
                 for e in episodes if e["DECOM"][-4:] < "2017" or e["DECOM"][-4:] == "2017" and e["DECOM"][3:5] <= "03"]
    with open(folder / "episodes_2017.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(last_year)
    build_xml(folder / "ssda903_2018.xml")
    la = read_manifest(folder)
    assert la.ok and la.statutory == ("ssda903", "cin_census")
    sources = entity_sources(read_manifest(folder))
    assert sources["cla_episodes"].label == "SSDA903 episodes files"
    assert sources["referrals"].label == "CIN_Census_2024.xml[CINdetails]"
    assert {c.covered_from for c in sources["cla_episodes"].coverage if c.indicator_id is None} == {date(2016, 4, 1)}
    con, results = land_all(tmp_path / "inbox")
    assert results["X2", "cla_episodes"].rows_supplied == 5050  # each episode once
    assert con.execute("select reason_new_episode, end_date from raw.cla_episodes "
                       "where episode_id = '566910/2016-02-15'").fetchone() == ("L", date(2017, 8, 14))  # the XML's
    assert quarantine(con, "X2", "cla_episodes")[0][4].startswith(
        "X2/SSDA903 episodes files ssda903_2018.xml /EXPSSDA903/CHILD[")


XXE = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&secret;</CHILDID></HEADER></CHILD></EXPSSDA903>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&lol3;</CHILDID></HEADER></CHILD></EXPSSDA903>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 SYSTEM "http://127.0.0.1:9/903.dtd">
<EXPSSDA903><CHILD><HEADER><CHILDID>1</CHILDID></HEADER></CHILD></EXPSSDA903>
"""


@pytest.mark.parametrize("content", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion_laughs", "external_dtd"])
def test_a_doctype_is_refused_and_holds_the_la_back(tmp_path, capsys, content):
    require(*CSV_FILES)
    folder = la_folder(tmp_path / "inbox", "X3", [], "2018-03-31")
    (folder / "903.xml").write_text(content)
    build_xml(la_folder(tmp_path / "inbox", "X4", [], "2018-03-31") / "903.xml")
    la = read_manifest(folder)
    [problem] = la.problems
    assert problem.startswith("X3/903.xml: refused: the XML declares a document type, entities or external references "
                              "(DTDForbidden)") and problem.endswith("an SSDA903 XML needs none (rule unsafe_xml)")
    assert la.statutory == ("ssda903",) and entity_sources(read_manifest(folder)) == {}
    con, results = land_all(tmp_path / "inbox")
    assert con.execute("select la_code, rule, severity from audit.dataset_issues where severity = 'error'").fetchall() == [
        ("X3", "unsafe_xml", "error")]
    assert {la for la, _ in results} == {"X4"}  # the LA that cannot be trusted is not loaded; the other is
    assert results["X4", "cla_episodes"].rows_supplied == 5050
    # what the operator sees: the reason, exit 1 (a data problem), nothing of the file's content
    assert main(["validate", str(tmp_path / "inbox")]) == 1
    out = capsys.readouterr()
    assert "X3/903.xml: refused: the XML declares a document type" in out.out
    assert "Traceback" not in out.out + out.err and "root:" not in out.out


def test_malformed_oversized_and_foreign_xml_are_dataset_errors(tmp_path, monkeypatch):
    require(*CSV_FILES)
    folder = la_folder(tmp_path / "inbox", "X5", [], "2018-03-31")
    xml = build_xml(folder / "903.xml")
    text = xml.read_text()
    # cut inside the third child: the first two were read, then the file breaks
    third = text.index("<CHILD>", text.index("<CHILD>", text.index("<CHILD>") + 1) + 1)
    xml.write_text(text[:third + 40])
    [problem] = read_manifest(folder).problems
    assert problem.startswith("X5/903.xml: not well-formed XML (no element found: line 2, column ")
    assert problem.endswith(", after /EXPSSDA903/CHILD[2]) (rule unreadable_file)")
    assert entity_sources(read_manifest(folder)) == {}  # nothing of a broken file is used

    xml.write_text(text)
    spec = format_spec("ssda903")  # typed and frozen: the adapter is given a copy with a tiny limit
    tiny = spec.model_copy(update={"xml": spec.xml.model_copy(update={"max_file_mb": 0.001})})
    monkeypatch.setattr(ssda903, "format_spec", lambda name: tiny)
    [problem] = read_manifest(folder).problems
    assert problem == "X5/903.xml: 3 MB is over the 0.001 MB limit for an SSDA903 XML; not read (rule file_too_large)"
    monkeypatch.undo()

    # neither form of a statutory XML: the CIN census reader, which takes every other XML, says what is expected
    xml.write_text("<?xml version='1.0'?><!-- export --><LookedAfterChildren><CHILD/></LookedAfterChildren>")
    [problem] = read_manifest(folder).problems
    assert problem == ("X5/903.xml: not a CIN census (root element LookedAfterChildren); an XML in the inbox must be "
                       "a CIN census (root element Message) or an SSDA903 return (root element EXPSSDA903) "
                       "(rule not_cin_census)")
    # the SSDA903 reader itself checks the root it parses, whatever the first bytes looked like
    with pytest.raises(ssda903_xml.XmlProblem, match=r"^X5/903\.xml: root element LOOKEDAFTERCHILDREN, not EXPSSDA903: "
                                                     r"not an SSDA903 XML \(rule not_ssda903\)$"):
        ssda903_xml.read(xml, format_spec("ssda903").xml, "X5/903.xml")


def test_unknown_elements_and_an_empty_return_are_warned_about(tmp_path):
    folder = la_folder(tmp_path / "inbox", "X6", [], "2018-03-31")
    (folder / "903.xml").write_text(
        "<ns:EXPSSDA903 xmlns:ns='urn:x'><ns:CHILD><ns:HEADER><ns:CHILDID>7</ns:CHILDID><ns:SEX>1</ns:SEX>"
        "<ns:DOB>01/01/2010</ns:DOB></ns:HEADER><ns:EPISODE><ns:DECOM>01/01/2018</ns:DECOM><ns:PL>U1</ns:PL></ns:EPISODE>"
        "<ns:NOTE>x</ns:NOTE></ns:CHILD><ns:SUMMARY/></ns:EXPSSDA903>")
    la = read_manifest(folder)
    assert la.ok and la.warnings == [
        "X6/903.xml: elements not in the SSDA903 XML structure are not read: /EXPSSDA903/CHILD/NOTE, "
        "/EXPSSDA903/SUMMARY (rule ssda903_xml_unknown_element)"]
    sources = entity_sources(read_manifest(folder))
    assert sources["cla_episodes"].rows.select(["child_id", "start_date", "placement_type", "_location"]).to_pylist() == [
        {"child_id": "7", "start_date": "01/01/2018", "placement_type": "U1", "_location": "/EXPSSDA903/CHILD[1]/EPISODE[1]"}]
    (folder / "903.xml").write_text("<EXPSSDA903/>")
    la = read_manifest(folder)
    assert la.ok and la.warnings == ["X6/903.xml: no CHILD under EXPSSDA903: the file supplies no records "
                                     "(rule ssda903_xml_empty)"]
    assert entity_sources(read_manifest(folder)) == {}


def test_read_as_a_stream(tmp_path):
    """Memory holds the records, not the document: 20 MB of nested tables the reader does not use
    (previous permanence) cost a fraction of what the parsed tree would."""
    path = tmp_path / "big.xml"
    review = "<PERMANENCE><PREV_PERM>Z1</PREV_PERM><DATE_PERM>01/01/2017</DATE_PERM></PERMANENCE>" * 250
    with open(path, "w") as f:
        f.write("<EXPSSDA903>")
        for n in range(1000):
            f.write(f"<CHILD><HEADER><CHILDID>{n}</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB>{review}</HEADER>"
                    f"<EPISODE><DECOM>01/01/2018</DECOM><PL>U1</PL></EPISODE></CHILD>")
        f.write("</EXPSSDA903>")
    assert path.stat().st_size > 19_000_000
    tracemalloc.start()
    try:
        result = ssda903_xml.read(path, format_spec("ssda903").xml, "X7/big.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.kinds["header"]) == len(result.kinds["episodes"]) == 1000
    assert peak < 8_000_000  # the whole tree: 750,000 elements, well over 100 MB


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_a_refresh_publishes_the_same_figures_from_either_form(tmp_path):
    """The whole refresh: the XML LA gets exactly the CSV LA's indicator values, and an LA whose XML
    is malformed is held back, saying why, without stopping the others. Thresholds are opened up as
    in test_statutory_refresh.py (the sample is dirty on purpose)."""
    require(*CSV_FILES)
    inbox = tmp_path / "inbox"
    care = write_ssda903_care(la_folder(inbox, "E09000911", CSV_FILES, "2018-03-31"), CARE_XML)[0].parent
    build_xml(la_folder(inbox, "E09000912", [], "2018-03-31") / "903.xml", care=care)
    broken = build_xml(la_folder(inbox, "E09000913", [], "2018-03-31") / "903.xml")
    broken.write_text(broken.read_text().replace("</EPISODE>", "</EPISODES>", 1))
    warehouse = tmp_path / "warehouse.duckdb"
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse),
                 "--max-quarantine-share", "1", "--max-overlap-share", "1"]) == 1  # one LA held back
    [(status, reason)] = query(warehouse, "select status, reason from published.publications where la_code = 'E09000913'")
    assert status == "held_back" and "E09000913/903.xml: not well-formed XML (mismatched tag: line 2, column " in reason
    assert "after /EXPSSDA903/CHILD[" not in reason  # broken inside the first child: nothing read before it
    assert query(warehouse, "select la_code, status from published.publications where la_code <> 'E09000913' "
                            "order by 1") == [("E09000911", "published"), ("E09000912", "published")]
    figures = {la: Counter(query(warehouse, "select * exclude (la_code) from published.indicator_values "
                                            "where la_code = $la", la=la)) for la in ("E09000911", "E09000912")}
    assert sum(figures["E09000911"].values()) > 500
    assert figures["E09000912"] == figures["E09000911"]
    assert {r[0] for r in query(warehouse, "select distinct indicator_id from published.indicator_values "
                                           "where la_code = 'E09000912'")} >= {
        "CLA_OPEN", "CLA_UASC", "CL_IN_TOUCH", "CLA_REVIEWS_HELD", "CLA_REVIEW_PARTICIPATION", "CLA_OC2_HEALTH_CHECK"}

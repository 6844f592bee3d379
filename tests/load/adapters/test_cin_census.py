"""CIN census XML: the public samples land with XML element paths in every message, every record
kind maps to its entity, unsafe XML (XXE, billion laughs) and oversized files are refused with a
clear dataset error, and several census years merge."""

import re
from datetime import date

import pytest

from pipeline.load.adapters import cin_census
from pipeline.specs import format_spec
from pipeline.load.inbox import entity_sources, read_manifest
from tests.load.adapters.samples import CIN, CIN_2024, la_folder, land_all, quarantine, require


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    require(CIN, CIN_2024)
    inbox = tmp_path_factory.mktemp("cin") / "inbox"
    la_folder(inbox, "C1", [CIN], "2022-07-21")
    la_folder(inbox, "C2", [CIN_2024], "2024-03-31")
    return land_all(inbox)


def test_every_row_is_loaded_or_quarantined(landed):
    _, results = landed
    supplied = {(la, e): (r.rows_supplied, r.rows_loaded, r.rows_quarantined)
                for (la, e), r in results.items() if r.source_file}
    text = CIN.read_text()
    future = [d for d in re.findall(r"<CINreferralDate>([\d-]+)<", text) if d > "2022-07-21"]
    assert supplied[("C1", "children")] == (332, 332, 0)
    assert supplied[("C1", "referrals")][0] == text.count("<CINdetails>") == 402
    assert supplied[("C1", "referrals")][2] >= len(future) > 0
    # the small 2024 sample carries one of every record kind
    assert {e for la, e in supplied if la == "C2"} == {
        "children", "referrals", "assessments", "cin_plans", "s47_enquiries", "cp_plans", "cp_reviews"}
    assert not any(r.issues for r in results.values())  # CIN census alone: no native required files


def test_messages_name_the_xml_element(landed):
    con, _ = landed
    [first, *_] = quarantine(con, "C1", "referrals")
    assert re.fullmatch(r"C1/fake_CIN_data\.xml\[CINdetails\] /Message/Children/Child\[\d+\]/CINdetails\[\d\]: "
                        r"\w+ value '[\d-]+' is after the extract date 2022-07-21", first[4])
    assessments = {(r[1], r[2], r[3]): r[4] for r in quarantine(con, "C2", "assessments")}
    assert assessments[("start_date", "2028-04-28", "date_after_extract")].startswith(
        "C2/CIN_Census_2024.xml[Assessments] /Message/Children/Child[1]/CINdetails[1]/Assessments[1]: ")


def test_records_map_to_native_columns(landed):
    con, _ = landed
    assert con.execute("select sex, date_of_birth, ethnicity, disability from raw.children where child_id = 'DfEX0000001'"
                       ).fetchone() == ("M", date(2015, 3, 27), "WBRI", "Y")  # Sex 1; HAND, HEAR
    assert con.execute("select disability from raw.children where child_id = 'child_fails_assessments'").fetchone() == ("N",)
    assert con.execute("select sex from raw.children where child_id = 'RND000909164501'").fetchone() == ("U",)  # GenderCurrent 0
    assert con.execute("select referral_id, referral_source, primary_need, referral_nfa, closure_reason from raw.referrals "
                       "where child_id = 'DfEX0000001'").fetchone() == ("DfEX0000001/1", "1A", "N4", "N", "RC1")
    assert con.execute("select referral_id, start_date, icpc_date, icpc_not_required from raw.s47_enquiries").fetchall() == [
        ("DfEX0000001/1", date(2022, 6, 2), date(2022, 6, 17), "N")]
    assert con.execute("select cp_plan_id, initial_category, previous_plans from raw.cp_plans").fetchall() == [
        ("DfEX0000001/1/P1", "PHY", 10)]
    assert con.execute("select cp_plan_id, review_date from raw.cp_reviews").fetchall() == [
        ("DfEX0000001/1/P1", date(2023, 2, 15))]
    assert con.execute("select start_date, end_date from raw.cin_plans").fetchall() == [(date(2023, 1, 24), date(2023, 1, 26))]


def test_coverage_starts_with_the_census_year(landed):
    con, _ = landed
    rows = set(con.execute("select entity, indicator_id, covered_from from raw.source_coverage where la_code = 'C2'").fetchall())
    assert ("cp_plans", None, date(2023, 4, 1)) in rows  # ReferenceDate 2024-03-31
    assert ("referrals", "REF_REREFERRAL", date(2024, 4, 1)) in rows
    assert ("assessments", "ASM_SEEN_5WD", None) in rows


XXE = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails></Header>
<Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID></ChildIdentifiers></Child></Children></Message>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol3;</LAchildID></ChildIdentifiers></Child></Children></Message>
"""


@pytest.mark.parametrize("content", [XXE, LAUGHS], ids=["xxe", "billion_laughs"])
def test_unsafe_xml_is_refused_and_holds_the_la_back(tmp_path, content):
    folder = la_folder(tmp_path / "inbox", "C3", [], "2024-03-31")
    (folder / "census.xml").write_text(content)
    la = read_manifest(folder)
    [problem] = la.problems
    assert problem.startswith("C3/census.xml: refused: the XML declares entities") and problem.endswith("(rule unsafe_xml)")
    assert "root:" not in problem and entity_sources(read_manifest(folder)) == {}
    con, results = land_all(tmp_path / "inbox")
    assert con.execute("select rule, severity from audit.dataset_issues").fetchall() == [("unsafe_xml", "error")]
    assert not results  # an LA whose files cannot be trusted is not loaded at all


def test_oversized_malformed_and_foreign_xml_are_dataset_errors(tmp_path, monkeypatch):
    require(CIN_2024)
    folder = la_folder(tmp_path / "inbox", "C4", [CIN_2024], "2024-03-31")
    tiny = format_spec("cin_census").model_copy(update={"max_file_mb": 0.001})  # typed and frozen: a copy
    monkeypatch.setattr(cin_census, "format_spec", lambda name: tiny)
    assert any("over the 0.001 MB limit" in p and "file_too_large" in p for p in read_manifest(folder).problems)
    monkeypatch.undo()
    (folder / "CIN_Census_2024.xml").write_text("<Message><Children>")
    assert any("not well-formed XML" in p for p in read_manifest(folder).problems)
    (folder / "CIN_Census_2024.xml").write_text(
        "<Message><Header><CollectionDetails><Collection>SSDA903</Collection></CollectionDetails></Header></Message>")
    [problem] = read_manifest(folder).problems
    assert ("not a CIN census (the SSDA903 collection); an XML in the inbox must be a CIN census (root element "
            "Message) or an SSDA903 return (root element EXPSSDA903) (rule not_cin_census)") in problem


def test_several_census_years_are_merged(tmp_path):
    require(CIN_2024)
    folder = la_folder(tmp_path / "inbox", "C5", [], "2025-03-31")
    older = CIN_2024.read_text()
    # the next year's census: the first child's episode is closed differently, the second child is new
    newer = (older.replace("<ReferenceDate>2024-03-31</ReferenceDate>", "<ReferenceDate>2025-03-31</ReferenceDate>")
             .replace("<ReasonForClosure>RC1</ReasonForClosure>", "<ReasonForClosure>RC2</ReasonForClosure>")
             .replace("child_fails_assessments", "second_year_child"))
    (folder / "cin_2024.xml").write_text(older)
    (folder / "cin_2025.xml").write_text(newer)
    sources = entity_sources(read_manifest(folder))
    assert sources["referrals"].label == "CIN census (2 files)[CINdetails]"
    assert {c.covered_from for c in sources["referrals"].coverage if c.indicator_id is None} == {date(2023, 4, 1)}
    con, results = land_all(tmp_path / "inbox")
    assert results["C5", "children"].rows_supplied == 3  # DfEX0000001 once, and each year's other child
    assert con.execute("select closure_reason from raw.referrals where child_id = 'DfEX0000001'").fetchall() == [("RC2",)]
    # a record is named by its file too: the later year's version of the episode was kept
    [(_, _, _, _, message)] = [r for r in quarantine(con, "C5", "assessments") if r[2] == "2028-04-28"]
    assert message.startswith(
        "C5/CIN census (2 files)[Assessments] cin_2025.xml /Message/Children/Child[1]/CINdetails[1]/Assessments[1]: ")

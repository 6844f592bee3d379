"""Annex A workbooks: the public samples land (valid rows loaded, invalid ones quarantined with a
named reason in sheet/row terms), sheets are found by headers, header and code variants are
tolerated, and what Annex A cannot support is recorded as coverage."""

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from pipeline.load.adapters.common import code_maps, normalise_code
from pipeline.load.inbox import read_manifest
from pipeline.specs import code_lists
from tests.load.adapters.samples import ANNEX_A, ANNEX_A_OLD, la_folder, land_all, quarantine, require


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    require(ANNEX_A)
    inbox = tmp_path_factory.mktemp("annex_a") / "inbox"
    la_folder(inbox, "A1", [ANNEX_A], "2021-03-31")
    return land_all(inbox)


def test_every_row_is_loaded_or_quarantined(landed):
    _, results = landed
    supplied = {e: (r.rows_supplied, r.rows_loaded, r.rows_quarantined) for (_, e), r in results.items() if r.source_file}
    assert supplied == {
        # List 2's five children are in no other list: 43 + 5
        "children": (48, 47, 1), "contacts": (5, 4, 1), "referrals": (6, 6, 0), "assessments": (5, 4, 1),
        "s47_enquiries": (5, 5, 0), "cin_plans": (5, 5, 0), "cp_plans": (7, 5, 2), "cla_episodes": (5, 4, 1),
        "visits": (12, 12, 0), "care_leavers": (6, 0, 6), "early_help_episodes": (5, 5, 0),
        "cla_health": (10, 10, 0),  # List 8: each child's last health assessment and last dental check
    }
    assert not any(r.issues for r in results.values() if r.source_file)
    # no strategy discussions or CP reviews list in Annex A: not supplied, not "empty"
    assert results["A1", "strategy_discussions"].source_file is None
    assert results["A1", "cp_reviews"].source_file is None


def test_quarantine_names_sheet_row_column_value_and_rule(landed):
    con, _ = landed
    assert quarantine(con, "A1", "cp_plans") == [
        (2, "start_date", "2020-11-23", "before_birth",
         "A1/Annex_A_2024_Jan.xlsx[List 7] row 2: start_date 2020-11-23 is before the child's date of birth 2021-01-04"),
        (8, "start_date", "2019-06-25", "before_birth",
         "A1/Annex_A_2024_Jan.xlsx[List 7] row 8: start_date 2019-06-25 is before the child's date of birth 2020-05-29"),
    ]
    # a child with no date of birth in any list: named by the first sheet and row it appears in
    [(_, column, _, rule, message)] = quarantine(con, "A1", "children")
    assert (column, rule) == ("date_of_birth", "required")
    assert message.startswith("A1/Annex_A_2024_Jan.xlsx[children of all lists] sheet List 1, row 3: ")
    assert [(r[0], r[3]) for r in quarantine(con, "A1", "contacts")] == [(3, "orphan_child")]
    leavers = quarantine(con, "A1", "care_leavers")
    assert {(r[0], r[1], r[3]) for r in leavers} >= {(r, "contact_date", "required") for r in range(2, 8)}
    # an activity code outside the contract's list is quarantined with the value as supplied
    assert (6, "activity", "F3: Full time in training or employment", "unknown_code") in [r[:4] for r in leavers]


def test_values_are_normalised_to_native_codes(landed):
    con, _ = landed
    assert con.execute("select referral_source, referral_nfa from raw.referrals where referral_id = 'L3-3'").fetchone() == ("3D", "N")
    assert con.execute("select sex, ethnicity, date_of_birth from raw.children where child_id = '9212044'").fetchone() == (
        "F", "WBRI", date(2015, 1, 25))  # 'Female', 'a) WBRI', a date cell
    # a child of List 2 only ('c) Not stated/recorded', 's) NOBT')
    assert con.execute("select sex, ethnicity from raw.children where child_id = '6890906'").fetchall() == [("U", "NOBT")]
    assert con.execute(
        "select legal_status, placement_type, placement_provider, category_of_need, reason_new_episode "
        "from raw.cla_episodes where episode_id = 'L8-2'").fetchone() == ("E1", "U6", "PR4", "N1", "S")
    assert con.execute("select icpc_not_required, icpc_date from raw.s47_enquiries where s47_id = 'L5-4'").fetchone() == ("Y", None)
    assert con.execute("select initial_category, previous_plans from raw.cp_plans where cp_plan_id = 'L7-3'").fetchone() == ("PHY", 1)
    assert con.execute("select visit_type, count(*) from raw.visits group by 1 order by 1").fetchall() == [("CLA", 5), ("CP", 7)]


def test_coverage_keeps_indicators_to_the_six_month_window(landed):
    con, _ = landed
    rows = con.execute("select entity, indicator_id, dimension, covered_from from raw.source_coverage "
                       "where la_code = 'A1'").fetchall()
    assert ("referrals", None, None, date(2020, 10, 1)) in rows  # extract 2021-03-31 - 6 months + 1 day
    assert ("cin_plans", None, None, date(2021, 4, 1)) in rows  # the state at the extract date only
    assert ("cla_episodes", "CLA_STABILITY_LT", None, None) in rows  # no placement history: never
    assert ("cla_episodes", "CLA_OPEN", "placement_type", date(2021, 4, 1)) in rows


def test_list_8_health_dates_are_the_latest_health_events(landed):
    """care.md B.9: "Date of Last Health Assessment" -> an RHA, "Date of Last Dental Check" -> a DENTAL
    event, usable only as at the extract date; no initial health assessment."""
    con, _ = landed
    sheet = load_workbook(ANNEX_A, read_only=True)["List 8"]
    header, *rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    child, health, dental = (header.index(h) for h in
                             ("Child Unique ID", "Date of Last Health Assessment", "Date of Last Dental Check"))
    expected = sorted([(str(r[child]), "RHA", r[health].date()) for r in rows if r[health]]
                      + [(str(r[child]), "DENTAL", r[dental].date()) for r in rows if r[dental]])
    assert len(expected) == 10
    assert con.execute("select child_id, event_type, event_date from raw.cla_health order by all").fetchall() == expected
    coverage = con.execute("select indicator_id, dimension, covered_from from raw.source_coverage "
                           "where la_code = 'A1' and entity = 'cla_health'").fetchall()
    assert sorted(coverage, key=str) == sorted([
        (None, None, date(2020, 10, 1)), ("CLA_IHA_20WD", None, None),
        ("CLA_HEALTH_UPTODATE", None, date(2021, 4, 1)), ("CLA_DENTAL_UPTODATE", None, date(2021, 4, 1))], key=str)


def test_code_variants():
    maps = code_maps("annex_a")
    categories = code_lists()["cp_category"]
    assert [normalise_code(v, maps["cp_category"], categories) for v in ("a) Neglect", "Neglect", "NEG", "neg")] == ["NEG"] * 4
    assert [normalise_code(v, maps["flag"], ("Y", "N")) for v in ("a) Yes", "Yes", "Y", "b) No")] == ["Y", "Y", "Y", "N"]
    assert normalise_code("q) 6: Police", maps["referral_source"], code_lists()["referral_source"]) == "6"
    assert normalise_code("f) U6: Foster placement - not FFA", None, code_lists()["placement_type"]) == "U6"
    assert normalise_code("N1 - Abuse or Neglect", None, code_lists()["category_of_need"]) == "N1"
    # unknown variants come back as supplied, so the loader quarantines the raw value
    assert normalise_code("zz) Martian", maps["cp_category"], categories) == "zz) Martian"


def test_sheets_are_found_by_headers_despite_names_and_header_variants(tmp_path):
    require(ANNEX_A)
    wb = load_workbook(ANNEX_A)
    referrals = wb["List 3"]
    referrals.title = "Referrals (6 months)"
    headers = {c.value: c for c in referrals[1]}
    headers["Date of Referral"].value = "  date of REFERRAL "
    headers["Referral Source"].value = "Referral source ("
    headers["Age"].value = "Age of Child (Years)"
    referrals["F2"].value = 44090  # an Excel serial date: 2020-09-16
    referrals["F2"].number_format = "General"
    referrals["H2"].value = "a) Yes"
    referrals["G3"].value = "zz) Martian"
    looked_after = wb["List 8"]
    looked_after.title = "CLA"
    for cell in looked_after[1]:
        if cell.value == "Child's Legal Status":
            cell.value = "Child\u2019s  legal status"  # curly apostrophe, double space
    plans = wb["List 7"]
    plans.insert_rows(1)
    plans["A1"].value = "Children subject of a child protection plan"  # a title above the header
    plans["H4"].value = "a) Neglect"
    la_folder(tmp_path / "inbox", "A1", [], "2021-03-31")
    wb.save(tmp_path / "inbox" / "A1" / "annex.xlsx")

    con, results = land_all(tmp_path / "inbox")
    assert results["A1", "referrals"].source_file == "annex.xlsx[Referrals (6 months)]"
    assert con.execute("select referral_date, referral_nfa from raw.referrals where referral_id = 'L3-2'").fetchone() == (
        date(2020, 9, 16), "Y")
    assert [r[:4] for r in quarantine(con, "A1", "referrals")] == [(3, "referral_source", "zz) Martian", "unknown_code")]
    assert con.execute("select count(*) from raw.cla_episodes where legal_status is not null").fetchone()[0] == 4
    # rows keep their Excel numbers under the title row
    assert con.execute("select initial_category from raw.cp_plans where cp_plan_id = 'L7-4'").fetchone() == ("NEG",)
    assert [r[0] for r in quarantine(con, "A1", "cp_plans")] == [3, 9]


def test_older_template_without_contact_date_skips_care_leavers_with_a_warning(tmp_path):
    require(ANNEX_A_OLD)
    folder = la_folder(tmp_path / "inbox", "A2", [ANNEX_A_OLD], "2021-03-31")
    la = read_manifest(folder)
    assert la.ok and not la.native and la.statutory == ("annex_a",)
    [warning] = la.warnings
    assert "sheet List 9 has no Latest Date of Contact column" in warning and "annex_a_column_missing" in warning
    con, results = land_all(tmp_path / "inbox")
    assert results["A2", "care_leavers"].source_file is None
    assert results["A2", "cp_plans"].rows_loaded == 5
    # a folder of statutory files is not a native extract: no "required file missing"
    assert not any(r.issues for r in results.values())


def test_two_workbooks_in_one_folder_are_a_dataset_error(tmp_path):
    require(ANNEX_A, ANNEX_A_OLD)
    folder = la_folder(tmp_path / "inbox", "A3", [ANNEX_A, ANNEX_A_OLD], "2021-03-31")
    assert any("statutory_ambiguous" in p for p in read_manifest(folder).problems)


def test_a_native_file_wins_over_annex_a_with_a_warning(tmp_path):
    require(ANNEX_A)
    folder = la_folder(tmp_path / "inbox", "A4", [ANNEX_A], "2021-03-31")
    (folder / "contacts.csv").write_text(
        "contact_id,child_id,contact_datetime,contact_source\nK1,9212044,2021-01-05 10:00,1A\n")
    la = read_manifest(folder)
    assert la.native  # a native file makes it a native extract
    assert any("statutory_overridden" in w and "contacts" in w for w in la.warnings)
    con, results = land_all(tmp_path / "inbox")
    assert results["A4", "contacts"].source_file == "contacts.csv"
    assert con.execute("select contact_id, contact_datetime from raw.contacts").fetchall() == [
        ("K1", datetime(2021, 1, 5, 10, 0))]
    # native required files that Annex A does supply come from Annex A
    assert results["A4", "referrals"].source_file == "Annex_A_2024_Jan.xlsx[List 3]"


def test_list_2_fills_early_help_start_and_assessment_completion_only(landed):
    """practice.md 1.2: List 2 gives the assessment start (the episode start) and completion dates; the
    plan date, end and source are not supplied (raw.absent_columns), so the EH indicators are unavailable."""
    con, _ = landed
    assert con.execute(
        "select eh_episode_id, child_id, start_date, assessment_completed_date, plan_start_date, end_date, source "
        "from raw.early_help_episodes where eh_episode_id in ('L2-2', 'L2-6') order by 1").fetchall() == [
        ("L2-2", "612306", date(2020, 9, 16), date(2020, 9, 30), None, None, None),
        ("L2-6", "16216178", date(2020, 9, 18), date(2020, 10, 23), None, None, None)]
    assert con.execute("select column_name from raw.absent_columns where entity = 'early_help_episodes' "
                       "order by 1").fetchall() == [("end_date",), ("plan_start_date",), ("source",)]
    # the organisation completing the assessment is not loaded anywhere
    assert con.execute("select count(*) from raw.early_help_episodes where _extra is not null").fetchone() == (0,)
    assert ("early_help_episodes", None, None, date(2020, 10, 1)) in con.execute(
        "select entity, indicator_id, dimension, covered_from from raw.source_coverage").fetchall()


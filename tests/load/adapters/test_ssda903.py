"""SSDA903 CSVs: the public sample lands (DD/MM/YYYY dates, UASC from the uasc file, OC3 care
leavers, reviews, missing episodes, and our OC2, AD1, placed_for_adoption and DoLo files in the
DfE layout), files are known by their header row, and several years are merged with episodes
deduplicated, the latest year's version winning."""

import csv
from datetime import date

import pytest

from pipeline.load.adapters import ssda903
from pipeline.load.adapters.common import ReadContext
from pipeline.load.inbox import entity_sources, read_manifest
from tests.load.adapters.samples import SSDA903, la_folder, land_all, quarantine, require, write_ssda903_care

FILES = ["header.csv", "episodes.csv", "uasc.csv", "oc3.csv", "missing.csv", "reviews.csv"]


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    require(*(SSDA903 / f for f in FILES))
    inbox = tmp_path_factory.mktemp("ssda903") / "inbox"
    write_ssda903_care(la_folder(inbox, "B1", [SSDA903 / f for f in FILES], "2018-03-31"))
    return land_all(inbox)


def _reviews_after(extract: str) -> tuple[int, int]:
    """Independently of the adapter: reviews.csv rows, and those dated after the extract date."""
    _, rows = _rows("reviews.csv")
    return len(rows), sum(_iso(r["REVIEW"]) > extract for r in rows)


def test_every_row_is_loaded_or_quarantined(landed):
    _, results = landed
    supplied = {e: (r.rows_supplied, r.rows_loaded, r.rows_quarantined) for (_, e), r in results.items() if r.source_file}
    reviews, after = _reviews_after("2018-03-31")
    assert after > 0 and reviews == 12582
    assert supplied == {"children": (2675, 2675, 0), "cla_episodes": (5050, 5038, 12), "care_leavers": (53, 39, 14),
                        "cla_reviews": (reviews, reviews - after, after), "missing_episodes": (43, 43, 0),
                        # OC2: the SDQ score of 41 is out of range; adoption: 952274's AD1 and placed rows are one
                        "cla_oc2": (4, 3, 1), "adoption": (3, 3, 0), "deprivation_of_liberty": (2, 2, 0)}
    assert {e: r.source_file for (_, e), r in results.items() if r.source_file} == {
        "children": "header.csv", "cla_episodes": "episodes.csv", "care_leavers": "oc3.csv",
        "cla_reviews": "reviews.csv", "missing_episodes": "missing.csv", "cla_oc2": "oc2_2018.csv",
        "adoption": "SSDA903 ad1 + placed_for_adoption files", "deprivation_of_liberty": "dolo.csv"}
    # SSDA903 alone: no native required files; the reviews and missing episodes are warned about
    assert not [i for r in results.values() for i in r.issues if i[1] != "warning"]
    warned = {i[0]: i[2] for r in results.values() for i in r.issues}
    assert set(warned) == {"duplicate_review", "participation_age", "overlapping_missing"}
    _, rows = _rows("reviews.csv")
    kept = [(r["CHILD"], _iso(r["REVIEW"])) for r in rows if _iso(r["REVIEW"]) <= "2018-03-31"]
    repeated = sum(kept.count(k) > 1 for k in kept)
    assert repeated > 0 and warned["duplicate_review"].startswith(
        f"B1/cla_reviews: {repeated} of {len(kept)} rows repeat the (child_id, review_date) of another row (rows ")


def test_care_files_land_in_their_entities(landed):
    con, _ = landed
    # reviews: REVIEW and REVIEW_CODE as they are, those after the extract date quarantined
    _, reviews = _rows("reviews.csv")
    expected = sorted((date.fromisoformat(_iso(r["REVIEW"])), r["REVIEW_CODE"]) for r in reviews
                      if r["CHILD"] == "566910" and _iso(r["REVIEW"]) <= "2018-03-31")
    assert expected and con.execute("select review_date, participation from raw.cla_reviews "
                                    "where child_id = '566910' order by 1").fetchall() == expected
    assert con.execute("select missing_id, missing_type, start_date, end_date, rhi_date from raw.missing_episodes "
                       "where child_id = '92296'").fetchall() == [
        ("92296/2017-11-21", "M", date(2017, 11, 21), date(2018, 1, 4), None)]
    # OC2: the file's year from its name; 903 flags 1 -> Y, 0 -> N
    assert con.execute("select child_id, year_ending, health_check, immunisations, teeth_check, development_assessment, "
                       "substance_misuse, convicted, sdq_score from raw.cla_oc2 order by 1").fetchall() == [
        ("10301", date(2018, 3, 31), "Y", "Y", "Y", None, "N", "N", 14),
        ("104579", date(2018, 3, 31), "Y", "Y", "N", "N", "N", "N", 22),
        ("105151", date(2018, 3, 31), "Y", "N", "N", None, "Y", "N", None)]
    [(column, value, rule, message)] = [r[1:] for r in quarantine(con, "B1", "cla_oc2")]
    assert (column, value, rule) == ("sdq_score", "41", "above_maximum")
    assert message == "B1/oc2_2018.csv row 4: sdq_score value '41' is above 40"
    # adoption: AD1 and placed_for_adoption rows of one child and decision date are one record
    assert con.execute("select adoption_id, child_id, decision_date, matched_date, adopted_by_foster_carer, "
                       "decision_reversed_date, reversal_reason, placement_order_date from raw.adoption order by 1").fetchall() == [
        ("101447/2017-06-01", "101447", date(2017, 6, 1), None, None, date(2017, 12, 1), "RD1", None),
        ("371347/2016-12-15", "371347", date(2016, 12, 15), date(2017, 2, 20), "N", None, None, None),
        ("952274/2017-02-02", "952274", date(2017, 2, 2), date(2017, 5, 10), "Y", None, None, None)]
    assert con.execute("select dol_id, start_date, end_date from raw.deprivation_of_liberty order by 1").fetchall() == [
        ("104579/2017-09-01", date(2017, 9, 1), date(2018, 2, 28)), ("104579/2018-03-01", date(2018, 3, 1), None)]


def test_quarantine_names_file_row_and_rule(landed):
    con, _ = landed
    episodes = quarantine(con, "B1", "cla_episodes")
    assert {r[1:4] for r in episodes} == {("end_date", "01/04/2018", "date_after_extract")}
    assert episodes[0][0] == 218
    assert episodes[0][4] == "B1/episodes.csv row 218: end_date value '01/04/2018' is after the extract date 2018-03-31"
    leavers = {(r[0], r[1], r[2], r[3]) for r in quarantine(con, "B1", "care_leavers")}
    assert (2, "accommodation", "01", "invalid_code") in leavers
    assert (3, "activity", "P3", "unknown_code") in leavers


def test_values_and_dates(landed):
    con, _ = landed
    assert con.execute(
        "select child_id, start_date, end_date, reason_new_episode, legal_status, placement_type, reason_place_change "
        "from raw.cla_episodes where episode_id = '566910/2016-02-15'").fetchone() == (
        "566910", date(2016, 2, 15), date(2017, 8, 14), "L", "C2", "T2", "CLOSE")
    assert con.execute("select sex, date_of_birth, ethnicity from raw.children where child_id = '566910'").fetchone() == (
        "F", date(2008, 3, 27), "WROM")
    # uasc: Y for the 132 children of uasc.csv, N for the rest
    assert con.execute("select uasc, count(*) from raw.children group by 1 order by 1").fetchall() == [("N", 2543), ("Y", 132)]
    # OC3 contact date: the latest birthday on or before the extract date
    assert con.execute("select contact_date, in_touch from raw.care_leavers where child_id = '880820'").fetchone() == (
        date(2018, 2, 1), "YES")  # born 01/02/2001


def test_coverage_starts_with_the_collection_year(landed):
    con, _ = landed
    coverage = con.execute("select entity, indicator_id, covered_from from raw.source_coverage where la_code = 'B1'").fetchall()
    # care.md B.9: a yearly file holds its year: complete from 1 April 2017 (reviews: the latest review on or
    # before the extract date is in the year ending 31 March 2018); AD1 as the episodes; OC2 its years only
    assert sorted((e, d) for e, i, d in coverage if i is None) == [
        ("adoption", date(2017, 4, 1)), ("cla_episodes", date(2017, 4, 1)), ("cla_reviews", date(2017, 4, 1)),
        ("deprivation_of_liberty", date(2017, 4, 1)), ("missing_episodes", date(2017, 4, 1))]
    # not supported from the 903 (null): no dated health events; the missing file holds looked-after children
    # only (no missing from home) and no return interviews, so only MIS_CLA_EPISODES, _CHILDREN, _REPEAT stand
    assert sorted((i, d) for e, i, d in coverage if i is not None) == [
        ("CLA_3PLUS_PLACEMENTS", date(2018, 4, 1)), ("CLA_DENTAL_UPTODATE", None), ("CLA_HEALTH_UPTODATE", None),
        ("CLA_IHA_20WD", None), ("CLA_STABILITY_LT", date(2019, 10, 1)), ("MIS_CHILDREN", None),
        ("MIS_CLA_RHI_72H", None), ("MIS_CLA_RHI_OFFERED_72H", None), ("MIS_EPISODES", None), ("MIS_REPEAT", None),
        ("MIS_RHI_72H", None), ("MIS_RHI_OFFERED_72H", None)]


@pytest.mark.parametrize("name, extract, year", [
    ("oc2_2024.csv", "2024-06-30", 2024), ("SSDA903 OC2 2023-24.csv", "2024-06-30", 2024),
    ("oc2_2023_2024.csv", "2024-06-30", 2024), ("OC2.csv", "2024-03-31", 2024), ("OC2.csv", "2024-03-30", 2023),
    ("oc2 2022 and 2024.csv", "2025-06-30", 2025), ("oc2_12024.csv", "2023-01-01", 2022)])
def test_oc2_year_from_the_file_name_else_the_extract_date(tmp_path, name, extract, year):
    """care.md B.4: a single 20YY in the name (a range 2023-24: the later year), else the last 31 March on or
    before the extract date."""
    folder = tmp_path / "B5"
    folder.mkdir()
    (folder / name).write_text(write_ssda903_care(tmp_path / "care", ["oc2_2018.csv"])[0].read_text())
    source = ssda903.read([folder / name], ReadContext("B5", date.fromisoformat(extract))).sources["cla_oc2"]
    assert set(source.rows.column("year_ending").to_pylist()) == {date(year, 3, 31).isoformat()}


def test_two_oc2_files_of_one_year_the_last_by_name_is_read(tmp_path):
    folder = tmp_path / "B6"
    folder.mkdir()
    text = write_ssda903_care(tmp_path / "care", ["oc2_2018.csv"])[0].read_text()
    (folder / "oc2_2018.csv").write_text(text)
    (folder / "oc2_2018_v2.csv").write_text(text.replace("10301,19/01/2003,14", "10301,19/01/2003,15").split("105151")[0])
    (folder / "oc2_2017.csv").write_text(text)
    adapted = ssda903.read(sorted(folder.iterdir()), ReadContext("B6", date(2018, 3, 31)))
    assert adapted.warnings == ["B6: 2 SSDA903 OC2 files for the year ending 2018-03-31: oc2_2018.csv, oc2_2018_v2.csv; "
                                "only oc2_2018_v2.csv (the last by name) is read (rule ssda903_oc2_same_year)"]
    rows = adapted.sources["cla_oc2"].rows.select(["child_id", "year_ending", "sdq_score"]).to_pylist()
    assert sorted((r["year_ending"], r["child_id"], r["sdq_score"]) for r in rows if r["year_ending"] == "2018-03-31") == [
        ("2018-03-31", "10301", "15")]
    assert len([r for r in rows if r["year_ending"] == "2017-03-31"]) == 4  # another year: kept whole


def _rows(name):
    with open(SSDA903 / name, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _iso(text):
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


def test_several_years_are_merged_latest_year_winning(tmp_path):
    require(*(SSDA903 / f for f in FILES))
    folder = la_folder(tmp_path / "inbox", "B2", [], "2018-03-31")
    header, episodes = _rows("episodes.csv")
    # 2016-17 file: episodes started by 31 March 2017, as they stood then (later end dates unknown)
    last_year = [{**e, "DEC": e["DEC"] if e["DEC"] and _iso(e["DEC"]) <= "2017-03-31" else "",
                  "REC": e["REC"] if e["DEC"] and _iso(e["DEC"]) <= "2017-03-31" else ""}
                 for e in episodes if _iso(e["DECOM"]) <= "2017-03-31"]
    this_year = [e for e in episodes if not e["DEC"] or _iso(e["DEC"]) >= "2017-04-01"]
    # files are known by their header row, whatever their names
    _write(folder / "SSDA903_2017_Episodes.csv", header, last_year)
    _write(folder / "episodes_2018.CSV", header, this_year)
    children_header, children = _rows("header.csv")
    _write(folder / "903 header 2017.csv", children_header, children[:2000])
    _write(folder / "903 header 2018.csv", children_header, children[1000:])

    la = read_manifest(folder)
    assert la.ok and la.statutory == ("ssda903",)
    sources = entity_sources(read_manifest(folder))
    assert sources["cla_episodes"].label == "SSDA903 episodes files"
    assert {c.covered_from for c in sources["cla_episodes"].coverage if c.indicator_id is None} == {date(2016, 4, 1)}
    con, results = land_all(tmp_path / "inbox")
    # every episode once: one repeated in both years is kept from the later year
    assert results["B2", "cla_episodes"].rows_supplied == len({(e["CHILD"], e["DECOM"]) for e in episodes}) == 5050
    assert results["B2", "children"].rows_supplied == 2675
    assert con.execute("select end_date, reason_episode_ceased from raw.cla_episodes "
                       "where episode_id = '566910/2016-02-15'").fetchone() == (date(2017, 8, 14), "X1")
    [(_, _, _, _, message)] = quarantine(con, "B2", "cla_episodes")[:1]
    assert message.startswith("B2/SSDA903 episodes files episodes_2018.CSV, row ")


def test_manifest_says_the_formats_and_from_when_files_are_complete(tmp_path):
    require(*(SSDA903 / f for f in FILES))
    folder = la_folder(tmp_path / "inbox", "B3", [SSDA903 / "header.csv", SSDA903 / "episodes.csv"], "2018-03-31",
                       formats=["ssda903"], complete_from={"ssda903": "2015-01-01"})
    la = read_manifest(folder)
    assert la.ok and la.formats == ("ssda903",)
    coverage = {c.indicator_id: c.covered_from for c in entity_sources(read_manifest(folder))["cla_episodes"].coverage}
    assert coverage == {None: date(2015, 1, 1), "CLA_3PLUS_PLACEMENTS": date(2016, 1, 1),
                        "CLA_STABILITY_LT": date(2017, 7, 1), "CLA_IHA_20WD": None, "CLA_HEALTH_UPTODATE": None,
                        "CLA_DENTAL_UPTODATE": None}

    (folder / "manifest.yml").write_text("la_code: B3\nla_name: B\nextract_date: 2018-03-31\nformats: [ssda903, cin_census]\n")
    assert any("formats lists cin_census" in p and "statutory_file_missing" in p for p in read_manifest(folder).problems)
    (folder / "manifest.yml").write_text("la_code: B3\nla_name: B\nextract_date: 2018-03-31\nformats: [annex_b]\n")
    assert any("manifest_invalid" in p for p in read_manifest(folder).problems)

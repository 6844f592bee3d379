"""SSDA903 CSVs: the public sample lands (DD/MM/YYYY dates, UASC from the uasc file, OC3 care
leavers), files are known by their header row, and several years are merged with episodes
deduplicated, the latest year's version winning."""

import csv
from datetime import date

import pytest

from pipeline.load.inbox import entity_sources, read_manifest
from tests.load.adapters.samples import SSDA903, la_folder, land_all, quarantine, require

FILES = ["header.csv", "episodes.csv", "uasc.csv", "oc3.csv", "missing.csv", "reviews.csv"]


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    require(*(SSDA903 / f for f in FILES))
    inbox = tmp_path_factory.mktemp("ssda903") / "inbox"
    la_folder(inbox, "B1", [SSDA903 / f for f in FILES], "2018-03-31")
    return land_all(inbox)


def test_every_row_is_loaded_or_quarantined(landed):
    _, results = landed
    supplied = {e: (r.rows_supplied, r.rows_loaded, r.rows_quarantined) for (_, e), r in results.items() if r.source_file}
    assert supplied == {"children": (2675, 2675, 0), "cla_episodes": (5050, 5038, 12), "care_leavers": (53, 39, 14)}
    assert {e: r.source_file for (_, e), r in results.items() if r.source_file} == {
        "children": "header.csv", "cla_episodes": "episodes.csv", "care_leavers": "oc3.csv"}
    assert not any(r.issues for r in results.values())  # SSDA903 alone: no native required files


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
    assert sorted(con.execute("select indicator_id, covered_from from raw.source_coverage where la_code = 'B1'").fetchall(),
                  key=str) == [
        ("CLA_3PLUS_PLACEMENTS", date(2018, 4, 1)), ("CLA_STABILITY_LT", date(2019, 10, 1)), (None, date(2017, 4, 1))]


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
                        "CLA_STABILITY_LT": date(2017, 7, 1)}

    (folder / "manifest.yml").write_text("la_code: B3\nla_name: B\nextract_date: 2018-03-31\nformats: [ssda903, cin_census]\n")
    assert any("formats lists cin_census" in p and "statutory_file_missing" in p for p in read_manifest(folder).problems)
    (folder / "manifest.yml").write_text("la_code: B3\nla_name: B\nextract_date: 2018-03-31\nformats: [annex_b]\n")
    assert any("manifest_invalid" in p for p in read_manifest(folder).problems)

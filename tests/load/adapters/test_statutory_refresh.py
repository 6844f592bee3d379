"""A whole refresh on an inbox of the public statutory samples, one LA folder per format: each is
published, with the indicators its format supports, only for the periods it covers, and none of
those it cannot support.

The samples are dirty on purpose and tiny (an Annex A list has 5-7 rows, so one bad row is 20%),
so the refresh runs with the dataset-level thresholds opened up from the command line, as an
operator would for such files: at the default 5% the gate holds the Annex A and SSDA903 LAs back,
which is the gate's business (tests/quality), not the adapters'.
Expected figures are counted from the sample files independently of the adapters.
"""

import re
from datetime import date

import duckdb
import pytest

from pipeline.cli import main
from pipeline.paths import build_path_for
from tests.load.adapters.samples import ANNEX_A, CIN, SSDA903, la_folder, require

SSDA903_FILES = [SSDA903 / f for f in ("header.csv", "episodes.csv", "uasc.csv", "oc3.csv")]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    require(ANNEX_A, CIN, *SSDA903_FILES)
    inbox = tmp_path_factory.mktemp("statutory") / "inbox"
    la_folder(inbox, "E09000901", [ANNEX_A], "2021-03-31")
    la_folder(inbox, "E09000902", SSDA903_FILES, "2018-03-31")
    la_folder(inbox, "E09000903", [CIN], "2022-07-21")
    return inbox


@pytest.fixture(scope="module")
def warehouse(inbox):
    warehouse = inbox.parent / "warehouse.duckdb"
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse),
                 "--max-quarantine-share", "1", "--max-overlap-share", "1"]) == 0
    return warehouse


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def monthly(warehouse, la, indicator, dimension="all"):
    return dict(query(warehouse, "select period_end, value from published.indicator_values where la_code = $la "
                      "and indicator_id = $i and period_type = 'month' and dimension = $d",
                      la=la, i=indicator, d=dimension))


def indicators(warehouse, la):
    return {r[0] for r in query(warehouse, "select distinct indicator_id from published.indicator_values "
                                           "where la_code = $la", la=la)}


def test_every_la_is_published(warehouse):
    assert query(warehouse, "select la_code, status from published.publications order by 1") == [
        ("E09000901", "published"), ("E09000902", "published"), ("E09000903", "published")]


def test_nothing_supplied_is_lost(warehouse):
    rows = query(build_path_for(warehouse), "select la_code, entity, rows_supplied, rows_loaded, rows_quarantined "
                                            "from raw.supplied_entities")
    assert len(rows) == 12 + 3 + 2  # Annex A: ten entities, early_help_episodes (List 2), cla_health (List 8)
    assert all(loaded + quarantined == supplied for _, _, supplied, loaded, quarantined in rows)
    (quarantined,) = query(build_path_for(warehouse), "select count(distinct (la_code, entity, row_number)) from audit.quarantine")[0]
    assert quarantined == sum(r[4] for r in rows)
    # not vacuous: every LA landed rows, and the dirty samples did quarantine some
    loaded = {}
    for la, _, _, n, _ in rows:
        loaded[la] = loaded.get(la, 0) + n
    assert sorted(loaded) == ["E09000901", "E09000902", "E09000903"] and min(loaded.values()) > 0
    assert quarantined > 0


def test_annex_a_figures_for_its_six_months_only(warehouse):
    la = "E09000901"
    # List 7: L7-3 and L7-4 open at 31 March (L7-2 is quarantined); L7-5 and L7-6 open at 31 December
    assert monthly(warehouse, la, "CPP_OPEN")[date(2021, 3, 31)] == 2
    assert monthly(warehouse, la, "CPP_OPEN")[date(2020, 12, 31)] == 2
    # the window is 1 Oct 2020 - 31 Mar 2021: snapshots from 30 September, flows from October, no fytd or r12m
    assert min(monthly(warehouse, la, "CPP_OPEN")) == date(2020, 9, 30)
    assert min(monthly(warehouse, la, "ASM_COMPLETED")) == date(2020, 10, 31)
    assert monthly(warehouse, la, "ASM_COMPLETED")[date(2021, 2, 28)] == 2  # L4-2, L4-6 (L4-5 is quarantined)
    assert query(warehouse, "select count(*) from published.indicator_values where la_code = $la "
                            "and period_type in ('fytd', 'r12m')", la=la) == [(0,)]
    # List 8: three children still looked after; their placement types known only as at the extract date
    assert monthly(warehouse, la, "CLA_OPEN")[date(2021, 3, 31)] == 3
    assert query(warehouse, "select distinct period_end, dimension_value, value from published.indicator_values "
                            "where la_code = $la and indicator_id = 'CLA_OPEN' and dimension = 'placement_type' "
                            "and value > 0 order by 2", la=la) == [
        (date(2021, 3, 31), "U1", 1), (date(2021, 3, 31), "U4", 1), (date(2021, 3, 31), "U6", 1)]
    assert monthly(warehouse, la, "CIN_PLAN_OPEN") == {date(2021, 3, 31): 5}  # case status at the extract only


def test_annex_a_health_as_at_the_extract_date_only(warehouse):
    """List 8's last health assessment and dental check (care.md B.9): counted only at 31 March 2021. Its
    three children looked after then (the fourth ceased in September 2020; the fifth's episode starts
    before its birth and is quarantined), all 5 or over and in care since before 2015, had an assessment
    on or after 31 March 2020 (27 May, 27 May, 5 October 2020) and one a dental check (12 October 2020;
    the others 17 January 2020)."""
    la = "E09000901"
    rows = query(warehouse, "select indicator_id, period_end, numerator, denominator from published.indicator_values "
                            "where la_code = $la and indicator_id in ('CLA_HEALTH_UPTODATE', 'CLA_DENTAL_UPTODATE') "
                            "and period_type = 'month' order by 1", la=la)
    assert rows == [("CLA_DENTAL_UPTODATE", date(2021, 3, 31), 1, 3), ("CLA_HEALTH_UPTODATE", date(2021, 3, 31), 3, 3)]
    assert not indicators(warehouse, la) & {"CLA_IHA_20WD", "CLA_VISIT_TIMELY"}


def test_annex_a_cannot_support_history_indicators(warehouse):
    published = indicators(warehouse, "E09000901")
    assert {"CON_RECEIVED", "REF_COUNT", "ASM_45WD", "S47_STARTED", "CPP_OPEN", "CLA_OPEN"} <= published
    assert not published & {"CLA_3PLUS_PLACEMENTS", "CLA_STABILITY_LT", "REF_REREFERRAL", "CON_DECIDED_1WD",
                            "CON_TO_REFERRAL", "ASM_SEEN_5WD", "CPP_REPEAT_2Y", "CPP_REVIEW_TIMELY", "STR_COUNT"}


def test_ssda903_children_looked_after(warehouse):
    la = "E09000902"
    # independently of the adapter: children with an episode open at the month end, not under a short-break
    # legal status (V3/V4: care.md F.3), leaving out the 12 episodes ending after the extract date (quarantined)
    with duckdb.connect() as con:
        expected = dict(con.execute(
            """with e as (select CHILD, LS, strptime(DECOM, '%d/%m/%Y')::date as s, strptime(DEC, '%d/%m/%Y')::date as t
                          from read_csv($f, all_varchar = true)),
               open_at as (  -- a child with overlapping open episodes is judged by the latest-starting one
                   select m, CHILD, LS from e, (values (date '2017-09-30'), (date '2018-03-31')) v(m)
                   where s <= m and (t is null or t > m) and (t is null or t <= date '2018-03-31')
                   qualify row_number() over (partition by m, CHILD order by s desc) = 1)
               select m::date, count(distinct CHILD) from open_at where LS not in ('V3', 'V4') group by 1""",
            {"f": str(SSDA903 / "episodes.csv")}).fetchall())
    cla = monthly(warehouse, la, "CLA_OPEN")
    assert {m: cla[m] for m in expected} == expected and expected[date(2018, 3, 31)] > 100
    # one collection year: from 31 March 2017 (what is open into 1 April); placements look back 12 months
    assert min(cla) == date(2017, 3, 31)
    assert set(monthly(warehouse, la, "CLA_3PLUS_PLACEMENTS")) == {date(2018, 3, 31)}
    published = indicators(warehouse, la)
    assert {"CLA_UASC", "CL_IN_TOUCH", "CLA_STARTED"} <= published
    assert "CLA_STABILITY_LT" not in published and not {i for i in published if i[:3] in ("REF", "ASM", "CPP", "CON")}
    assert not published & {"CLA_IHA_20WD", "CLA_HEALTH_UPTODATE", "CLA_DENTAL_UPTODATE"}  # no dated health events


def test_cin_census_referrals(warehouse):
    la = "E09000903"
    text = CIN.read_text()
    # referrals landed: neither the referral nor its closure after the extract date (those are quarantined)
    landed = [d for d, closed in re.findall(r"<CINreferralDate>([\d-]+)</CINreferralDate>.*?"
                                            r"(?:<CINclosureDate>([\d-]+)</CINclosureDate>.*?)?</CINdetails>", text, re.S)
              if d <= "2022-07-21" and (not closed or closed <= "2022-07-21")]
    counts = monthly(warehouse, la, "REF_COUNT")
    # the census year runs to its ReferenceDate 2022-07-21: complete months August 2021 - June 2022
    assert (min(counts), max(counts)) == (date(2021, 8, 31), date(2022, 6, 30))
    assert counts == {m: sum(d[:7] == m.isoformat()[:7] for d in landed) for m in counts}
    assert sum(counts.values()) > 50  # both sides counting zero would pass the line above
    published = indicators(warehouse, la)
    assert published == {"REF_COUNT", "REF_RATE", "REF_NFA"}  # no re-referrals from one census year


def test_validate_reports_problems_in_the_source_s_own_terms(inbox, capsys):
    assert main(["validate", str(inbox)]) == 1  # at the default 5% threshold the dirty samples are held back
    out = capsys.readouterr().out
    assert "held back" in out
    assert "E09000901/Annex_A_2024_Jan.xlsx[List 7] row 2: start_date 2020-11-23 is before the child's date of birth" in out
    assert "E09000901/Annex_A_2024_Jan.xlsx[children of all lists] sheet List 1, row 3: date_of_birth is required" in out
    assert "E09000902/episodes.csv row 218: end_date value '01/04/2018' is after the extract date 2018-03-31" in out
    assert re.search(r"E09000903/fake_CIN_data\.xml\[CINdetails\] /Message/Children/Child\[92\]/CINdetails\[1\]: "
                     r"closure_date value '2024-11-12' is after the extract date", out)

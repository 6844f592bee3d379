"""Missing from home and care (care.md C.4) and court (C.6), through the real refresh, on rows sitting on
the definitions' boundaries; every expected figure is worked out by hand beside it.

LA X1, extract 2024-06-30 (June 2024 the latest month; fytd from 2024-04-01, r12m from 2023-07-01).
LA X2 supplies only the required entities: no missing_episodes or legal_proceedings file, so no MIS_ or
LEG_ rows at all (not zeros).

Missing. Children: C1 (14) looked after under C2 since 2023-01-01; C2 turns 18 on 2024-06-15; C3 (14) at
home; C4 (14) on short breaks (V3), so at home for these figures. Episodes (start..end, offered, held):
  M1 C1 06-03..06-04, offered 06-07 (+3), held 06-07 (+3)       looked after; offered in, held in
  M2 C1 06-10..06-10, held 06-14 (+4), no offer                 looked after; o = 06-14: out, out
  M3 C3 06-12..06-13, offered 06-12 (before the return), held 06-15 (+2): offered out (care.md G), held in
  M4 C3 06-12..06-13, offered 06-13                             repeats M3's (child, type, start): the
                                                                lowest missing_id, M3, is the episode
  M5 C3 type A 06-20..06-20, offered and held 06-20             away, not missing: counts nowhere
  M6 C2 06-16, still missing                                    aged 18 on start_date: nowhere
  M7 C2 06-14..06-14, held 06-17 (+3)                           17 on start and end: in, in
  M8 C4 05-10..05-11, nothing                                   short breaks: home
  M9 C3 04-02..04-03, offered 04-06 (+3)                        offered in, held out
June: episodes M1 M2 M3 M7 = 4 (looked after M1 M2 = 2); children C1 C3 C2 = 3 (1); more than once C1 =
1 (C3 too, had M4 been a second episode). Returns in June: M1 M2 M3 M7, offered in time M1 M7 = 2 of 4,
held M1 M3 M7 = 3 of 4; looked after M1 M2: 1 of 2 each. FYTD: episodes + M9 (April), M8 (May) = 6;
children C1 C2 C3 C4 = 4 (months: April C3 1 + May C4 1 + June 3 = 5); more than once C1 and C3 (M9 in
April, M3 in June) = 2 (months: 0 + 0 + 1); returns + M9 (offered only) and M8 (neither): 3 of 6 each.

Court (children K1-K7):
  G1 K1 pre-proceedings 2024-02-01..05-23: 112 days, within 16 weeks
  G2 K2 pre-proceedings 2024-03-01..06-22: 113 days, not
  G6 K6 pre-proceedings from 2024-06-30 (M1): open at M1
  G3 K3 issued 2023-12-01, final 2024-05-30 = issue + 181 days: within 26 weeks; 181 days
  G4 K4 issued 2023-12-15, final 2024-06-14 = issue + 182: not; 182 days
  G5 K5 issued 2024-03-14, final 2024-06-20: 98 days, within
  G7 K7 issued 2023-01-10, final 2023-09-12: 245 days, not
LEG_DURATION_WEEKS: June (182 + 98) / 2 = 140 days = 20 weeks; May 181 / 7 = 25.86 weeks; FYTD (G3 G4
G5) 461 / 3 / 7 = 21.95 weeks, the cohort-weighted mean (the mean of May's and June's means would be
22.93); r12m adds G7: 706 / 4 / 7 = 25.21 weeks.
"""

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from tests.inbox_builder import write_la
from tests.quality.extracts import BASE


def child(cid, dob="2010-01-01"):
    return {"child_id": cid, "sex": "F", "date_of_birth": dob}


def missing(mid, cid, start, end="", offered="", held="", kind="M"):
    return {"missing_id": mid, "child_id": cid, "missing_type": kind, "start_date": start, "end_date": end,
            "rhi_offered_date": offered, "rhi_date": held}


def legal(lid, cid, plo_start="", plo_end="", issued="", final=""):
    return {"legal_id": lid, "child_id": cid, "plo_start_date": plo_start, "plo_end_date": plo_end,
            "issue_date": issued, "final_order_date": final}


MISSING = [
    missing("M1", "C1", "2024-06-03", "2024-06-04", offered="2024-06-07", held="2024-06-07"),
    missing("M2", "C1", "2024-06-10", "2024-06-10", held="2024-06-14"),
    missing("M3", "C3", "2024-06-12", "2024-06-13", offered="2024-06-12", held="2024-06-15"),
    missing("M4", "C3", "2024-06-12", "2024-06-13", offered="2024-06-13"),
    missing("M5", "C3", "2024-06-20", "2024-06-20", offered="2024-06-20", held="2024-06-20", kind="A"),
    missing("M6", "C2", "2024-06-16"),
    missing("M7", "C2", "2024-06-14", "2024-06-14", held="2024-06-17"),
    missing("M8", "C4", "2024-05-10", "2024-05-11"),
    missing("M9", "C3", "2024-04-02", "2024-04-03", offered="2024-04-06"),
]

LEGAL = [
    legal("G1", "K1", plo_start="2024-02-01", plo_end="2024-05-23"),
    legal("G2", "K2", plo_start="2024-03-01", plo_end="2024-06-22"),
    legal("G3", "K3", issued="2023-12-01", final="2024-05-30"),
    legal("G4", "K4", issued="2023-12-15", final="2024-06-14"),
    legal("G5", "K5", issued="2024-03-14", final="2024-06-20"),
    legal("G6", "K6", plo_start="2024-06-30"),
    legal("G7", "K7", issued="2023-01-10", final="2023-09-12"),
]

EPISODES = [
    BASE["cla_episodes"][0],  # C1 looked after (C2) since 2023-01-01
    {"episode_id": "E2", "child_id": "C4", "start_date": "2024-01-01", "reason_new_episode": "S",
     "legal_status": "V3", "category_of_need": "N1", "placement_type": "U1"},
]

CHILDREN = [child("C1"), child("C2", "2006-06-15"), child("C3"), child("C4")] + [child(f"K{i}") for i in range(1, 8)]

X1_TABLES = {**BASE, "children": CHILDREN, "cla_episodes": EPISODES, "missing_episodes": MISSING,
             "legal_proceedings": LEGAL}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("missing_court")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    write_la(inbox, "X1", X1_TABLES, extract_date="2024-06-30")
    write_la(inbox, "X2", BASE, extract_date="2024-06-30")
    assert run_refresh(inbox, warehouse).success
    return warehouse


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def figure(warehouse, indicator, month="2024-06", period_type="month", la="X1", table="indicator_values"):
    """(numerator, denominator, value rounded to 2 places) of one published row."""
    rows = query(warehouse, f"""select numerator, denominator, value from published.{table}
                                where la_code = $la and indicator_id = $i and period_type = $p
                                  and strftime(period_end, '%Y-%m') = $m and dimension = 'all'""",
                 la=la, i=indicator, p=period_type, m=month)
    assert len(rows) == 1, (indicator, month, period_type, rows)
    num, den, val = rows[0]
    return num, den, None if val is None else round(val, 2)


def count(warehouse, indicator, month="2024-06", period_type="month"):
    num, den, val = figure(warehouse, indicator, month, period_type)
    assert num is None and den is None
    return val


def test_missing_episodes_children_and_repeats(warehouse):
    assert count(warehouse, "MIS_EPISODES") == 4  # M1 M2 M3 M7: M4 is M3 again, M5 is away, M6 is 18
    assert count(warehouse, "MIS_CLA_EPISODES") == 2  # M1 M2 (C4's short breaks are home)
    assert count(warehouse, "MIS_CHILDREN") == 3  # C1 C2 C3
    assert count(warehouse, "MIS_CLA_CHILDREN") == 1  # C1
    assert count(warehouse, "MIS_REPEAT") == 1  # C1 (C3's duplicate row is one episode)
    assert count(warehouse, "MIS_CLA_REPEAT") == 1
    assert count(warehouse, "MIS_EPISODES", "2024-05") == 1  # M8
    assert count(warehouse, "MIS_CLA_EPISODES", "2024-05") == 0


def test_distinct_children_over_the_whole_period(warehouse):
    assert count(warehouse, "MIS_EPISODES", period_type="fytd") == 6  # + M9, M8
    assert count(warehouse, "MIS_CHILDREN", period_type="fytd") == 4  # C3 missing in April and June: once
    assert count(warehouse, "MIS_REPEAT", period_type="fytd") == 2  # C1 (June twice), C3 (April and June)
    assert count(warehouse, "MIS_CHILDREN", period_type="r12m") == 4
    assert count(warehouse, "MIS_CLA_CHILDREN", period_type="fytd") == 1


def test_return_interviews_within_72_hours(warehouse):
    assert figure(warehouse, "MIS_RHI_OFFERED_72H") == (2, 4, 50.0)  # M1 M7; M2 at +4, M3 offered before return
    assert figure(warehouse, "MIS_RHI_72H") == (3, 4, 75.0)  # M1 (+3) M3 (+2) M7 (+3); M2 at +4
    assert figure(warehouse, "MIS_CLA_RHI_OFFERED_72H") == (1, 2, 50.0)  # M1 of M1 M2
    assert figure(warehouse, "MIS_CLA_RHI_72H") == (1, 2, 50.0)
    assert figure(warehouse, "MIS_RHI_OFFERED_72H", period_type="fytd") == (3, 6, 50.0)  # + M9 in, M8 out
    assert figure(warehouse, "MIS_RHI_72H", period_type="fytd") == (3, 6, 50.0)


def test_pre_proceedings_and_care_proceedings(warehouse):
    assert count(warehouse, "LEG_PLO_STARTED", "2024-02") == 1  # G1
    assert count(warehouse, "LEG_PLO_STARTED") == 1  # G6
    assert count(warehouse, "LEG_PLO_OPEN") == 1  # K6 from M1; G2 ended 22 June
    assert count(warehouse, "LEG_PLO_OPEN", "2024-05") == 1  # K2 (K1's ended on 23 May)
    assert figure(warehouse, "LEG_PLO_16WK", "2024-05") == (1, 1, 100.0)  # G1, 112 days
    assert figure(warehouse, "LEG_PLO_16WK") == (0, 1, 0.0)  # G2, 113 days
    assert count(warehouse, "LEG_ISSUED", "2023-12") == 2  # G3 G4
    assert figure(warehouse, "LEG_26WK", "2024-05") == (1, 1, 100.0)  # G3 on issue + 181
    assert figure(warehouse, "LEG_26WK") == (1, 2, 50.0)  # G5; G4 on issue + 182
    assert figure(warehouse, "LEG_26WK", period_type="r12m") == (2, 4, 50.0)  # + G3 and G7 (245 days)


def test_duration_in_weeks_is_a_cohort_weighted_mean(warehouse):
    assert figure(warehouse, "LEG_DURATION_WEEKS") == (280, 2, 20.0)  # (182 + 98) / 2 / 7
    assert figure(warehouse, "LEG_DURATION_WEEKS", "2024-05") == (181, 1, 25.86)  # 181 / 7
    assert figure(warehouse, "LEG_DURATION_WEEKS", period_type="fytd") == (461, 3, 21.95)  # not (25.86 + 20) / 2
    assert figure(warehouse, "LEG_DURATION_WEEKS", period_type="r12m") == (706, 4, 25.21)  # + G7's 245
    assert figure(warehouse, "LEG_DURATION_WEEKS", "2024-04") == (0, 0, None)  # none concluded: no mean
    # shareable: June's mean rests on 2 proceedings, withheld like a count of 2
    assert figure(warehouse, "LEG_DURATION_WEEKS", table="indicator_values_shareable") == (None, None, None)


def test_an_entity_not_supplied_gives_no_rows(warehouse):
    x2 = {r[0] for r in query(warehouse, "select distinct indicator_id from published.indicator_values "
                                         "where la_code = 'X2'")}
    assert x2 and not {i for i in x2 if i.startswith(("MIS_", "LEG_"))}
    x1 = {r[0] for r in query(warehouse, "select distinct indicator_id from published.indicator_values "
                                         "where la_code = 'X1'")}
    assert {i for i in x1 if i.startswith(("MIS_", "LEG_"))} == {
        "MIS_EPISODES", "MIS_CHILDREN", "MIS_REPEAT", "MIS_RHI_OFFERED_72H", "MIS_RHI_72H", "MIS_CLA_EPISODES",
        "MIS_CLA_CHILDREN", "MIS_CLA_REPEAT", "MIS_CLA_RHI_OFFERED_72H", "MIS_CLA_RHI_72H", "LEG_PLO_STARTED",
        "LEG_PLO_OPEN", "LEG_PLO_16WK", "LEG_ISSUED", "LEG_26WK", "LEG_DURATION_WEEKS"}

"""Adoption indicators (care.md C.5, G) and the children-looked-after breakdowns (care.md D), through the
real refresh, on hand-made LAs whose every figure is worked out by hand beside it. Extract 2024-06-30:
June 2024 is the latest month, its fytd April-June 2024, its r12m July 2023-June 2024.

LA X1 supplies adoption. Adoptions (episodes ending E11/E12; P = the period of care):
  FC1  S 2023-02-01 U4 (C2); P 2023-05-01 U4 (a new foster carer); B 2023-08-15 to E1 and U5 (another
       placement, same carer); U 2023-11-01 into A5 (e0: placed with the same carer); adopted 2024-06-14.
       Adoption rows: an AD1-like row (decision 2023-07-01, matched 2023-10-20, by foster carer Y) and a
       placed_for_adoption-like row of the same decision date with a greater adoption_id and nothing else:
       one record, so the match is kept. Foster-carer adoption: MI = the carer's placement start, the P
       episode, 2023-05-01 (the B episode keeps the carer; from it A10 would be 195): A10 = 89 (28 + 31 + 30).
       placement_order_date null: PO = the E1 start 2023-08-15: A20 = 195, A2 = 66 (to 2023-10-20).
  FC2  S 2023-09-01 U1 (V2); T 2023-10-01 U5 (C2, new carer); U 2023-12-01 U6 (same carer); B 2024-01-10
       into A3 under E1 (same carer); adopted 2024-05-20. No adoption row: flag null, e0 A3 "with current
       foster carer": foster-carer adoption, MI = the T episode (the U episode keeps the carer; from it A10
       would be 91): A10 = 30; PO = E1 start 2024-01-10: A20 = 131.
  MB   S 2022-11-01 U4; P 2023-12-01 into A4 under E1; adopted 2024-04-10. Row: PO 2023-06-01, matched
       2023-05-25 (before PO), not by foster carer: MI = e0 start: A10 = 395 (365 + 30); A20 = 212 (PO of
       the row, not the E1 start); A2 = max(0, -7) = 0.
  UK   P 2023-01-01 A6 (E1): the extract starts part-way, P's start unknown; adopted 2024-06-20. Row: PO
       2022-12-01, matched 2022-12-15: out of A10 and A20; A2 = 14.
  NF   S 2023-06-01 R1 (C2); T 2023-09-01 into A5 under E1; adopted 2024-06-28. Row: by foster carer N
       (the flag wins over e0's A5), no PO, no match: MI = e0 start: A10 = 92; PO = E1 start: A20 = 92.
  PY   S 2022-09-01 U4; P 2023-02-01 into A4 under D1; adopted 2023-09-30 (the previous financial year,
       in June's r12m): A10 = 153, A20 = 153 (PO = the D1 start).
Other June endings: LX X1 (stays looked after), SB E8 under V3 (short breaks), RH E4A: ADO_CEASED_PCT
June = FC1, UK, NF of FC1, UK, NF, RH = 3 / 4.

LA X2 supplies no adoption file: Z, S 2024-01-01 U4, P 2024-03-01 into A4, adopted 2024-06-10: A10 = 60
(2024 is a leap year), and no ADO_A2_DAYS row at all.

LA X3 (breakdowns): see BREAKDOWN_EPISODES.
"""

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from tests.inbox_builder import write_la
from tests.quality.extracts import BASE


def episode(eid, cid, start, rne, legal, place, end="", rec="", provider=""):
    return {"episode_id": eid, "child_id": cid, "start_date": start, "reason_new_episode": rne,
            "legal_status": legal, "category_of_need": "N1", "placement_type": place, "placement_provider": provider,
            "end_date": end, "reason_episode_ceased": rec}


def child(cid, dob="2019-01-01", sex="F", expected=""):
    return {"child_id": cid, "sex": sex, "date_of_birth": dob, "expected_date_of_birth": expected}


def adoption(aid, cid, decision, po="", matched="", by_foster_carer=""):
    return {"adoption_id": aid, "child_id": cid, "decision_date": decision, "placement_order_date": po,
            "matched_date": matched, "adopted_by_foster_carer": by_foster_carer}


X1_EPISODES = [
    episode("FC1a", "FC1", "2023-02-01", "S", "C2", "U4", "2023-05-01", "X1"),
    episode("FC1b", "FC1", "2023-05-01", "P", "C2", "U4", "2023-08-15", "X1"),
    episode("FC1c", "FC1", "2023-08-15", "B", "E1", "U5", "2023-11-01", "X1"),
    episode("FC1d", "FC1", "2023-11-01", "U", "E1", "A5", "2024-06-14", "E12"),
    episode("FC2a", "FC2", "2023-09-01", "S", "V2", "U1", "2023-10-01", "X1"),
    episode("FC2b", "FC2", "2023-10-01", "T", "C2", "U5", "2023-12-01", "X1"),
    episode("FC2c", "FC2", "2023-12-01", "U", "C2", "U6", "2024-01-10", "X1"),
    episode("FC2d", "FC2", "2024-01-10", "B", "E1", "A3", "2024-05-20", "E11"),
    episode("MBa", "MB", "2022-11-01", "S", "C2", "U4", "2023-12-01", "X1"),
    episode("MBb", "MB", "2023-12-01", "P", "E1", "A4", "2024-04-10", "E11"),
    episode("UKa", "UK", "2023-01-01", "P", "E1", "A6", "2024-06-20", "E11"),
    episode("NFa", "NF", "2023-06-01", "S", "C2", "R1", "2023-09-01", "X1"),
    episode("NFb", "NF", "2023-09-01", "T", "E1", "A5", "2024-06-28", "E11"),
    episode("PYa", "PY", "2022-09-01", "S", "C2", "U4", "2023-02-01", "X1"),
    episode("PYb", "PY", "2023-02-01", "P", "D1", "A4", "2023-09-30", "E11"),
    episode("LXa", "LX", "2024-01-01", "S", "C2", "U4", "2024-06-05", "X1"),
    episode("LXb", "LX", "2024-06-05", "P", "C2", "K2"),
    episode("SBa", "SB", "2024-03-01", "S", "V3", "U4", "2024-06-12", "E8"),
    episode("RHa", "RH", "2023-01-01", "S", "V2", "U4", "2024-06-25", "E4A"),
]

X1_ADOPTION = [
    adoption("FC1-2023-07-01-A", "FC1", "2023-07-01", matched="2023-10-20", by_foster_carer="Y"),
    adoption("FC1-2023-07-01-P", "FC1", "2023-07-01"),
    adoption("MB-1", "MB", "2023-03-01", po="2023-06-01", matched="2023-05-25", by_foster_carer="N"),
    adoption("UK-1", "UK", "2022-10-01", po="2022-12-01", matched="2022-12-15"),
    adoption("NF-1", "NF", "2023-08-01", by_foster_carer="N"),
]

X2_EPISODES = [
    episode("Za", "Z", "2024-01-01", "S", "C2", "U4", "2024-03-01", "X1"),
    episode("Zb", "Z", "2024-03-01", "P", "E1", "A4", "2024-06-10", "E11"),
]

# X3, LAC(M1) at 2024-06-30 (11 children), by age at M1, sex, legal status and placement (first match wins):
#   C1  born 2015-01-01 (9; BASE's child)            M  C2 U1              care_order  foster_family_friends
#   B1  born 2023-07-01 (0: a year the day after M1)  M  C1 P1              care_order  placed_with_parents
#   B2  born 2021-06-30 (3)                           F  E1 A4              placement_order  adoption
#   B3  born 2019-06-30 (5 on M1; 4 at its start)     U  V2 U2 PR4          s20  foster_ifa (not family and friends)
#   B4  born 2010-06-30 (14)                          M  C2 U2              care_order  foster_family_friends
#   B5  born 2008-06-30 (16 on M1)                    F  J1 U4 PR1          other  foster_in_house
#   B6  born 2009-01-01 (15)                          F  L2 U5 PR0          other  foster_other
#   B7  expected 2024-05-01, no date of birth         U  C1 K1              care_order  residential (age unknown)
#   B8  born 2007-12-01 (16)                          M  V2 H5              s20  supported_independent
#   B9  born 2012-03-03 (12)                          M  C2 R2              care_order  other
#   B15 born 2013-01-01 (11), X1 on 2024-06-09 then L E1 U4, no provider: placement_order  foster_other
# Not in LAC(M1): B10 on short breaks (V3); B11-B14 ceased in June.
# Starts (S, not V3/V4): June B3 (4 at 2024-06-10: 1_4), B6 (15: 10_15); May B7 (unknown); February B1
# (under_1). Ceased in June: B11 E45 (sgo), B12 E4A (returned_home), B13 E13 (other); not B14 (V3), B15 (X1).
BREAKDOWN_CHILDREN = [
    child("B1", "2023-07-01", "M"), child("B2", "2021-06-30"), child("B3", "2019-06-30", "U"),
    child("B4", "2010-06-30", "M"), child("B5", "2008-06-30"), child("B6", "2009-01-01"),
    child("B7", "", "U", expected="2024-05-01"), child("B8", "2007-12-01", "M"), child("B9", "2012-03-03", "M"),
    child("B10", "2014-01-01"), child("B11", "2014-01-01"), child("B12", "2014-01-01"), child("B13", "2014-01-01"),
    child("B14", "2014-01-01"), child("B15", "2013-01-01"),
]
BREAKDOWN_EPISODES = [
    episode("B1a", "B1", "2024-02-01", "S", "C1", "P1"),
    episode("B2a", "B2", "2023-01-01", "S", "E1", "A4"),
    episode("B3a", "B3", "2024-06-10", "S", "V2", "U2", provider="PR4"),
    episode("B4a", "B4", "2022-01-01", "S", "C2", "U2"),
    episode("B5a", "B5", "2023-05-01", "S", "J1", "U4", provider="PR1"),
    episode("B6a", "B6", "2024-06-01", "S", "L2", "U5", provider="PR0"),
    episode("B7a", "B7", "2024-05-15", "S", "C1", "K1"),
    episode("B8a", "B8", "2023-01-01", "S", "V2", "H5"),
    episode("B9a", "B9", "2023-01-01", "S", "C2", "R2"),
    episode("B10a", "B10", "2024-01-01", "S", "V3", "U4"),
    episode("B11a", "B11", "2023-01-01", "S", "C2", "U4", "2024-06-05", "E45"),
    episode("B12a", "B12", "2023-01-01", "S", "V2", "U4", "2024-06-06", "E4A"),
    episode("B13a", "B13", "2023-01-01", "S", "C2", "U4", "2024-06-07", "E13"),
    episode("B14a", "B14", "2023-01-01", "S", "V3", "U4", "2024-06-08", "E4A"),
    episode("B15a", "B15", "2023-01-01", "S", "C2", "U4", "2024-06-09", "X1"),
    episode("B15b", "B15", "2024-06-09", "L", "E1", "U4"),
]


def tables(children, episodes, **more):
    # BASE's contacts, referrals, assessments and CP plan are of its child C1 (required entities need a row)
    return {**BASE, "children": BASE["children"] + children, "cla_episodes": BASE["cla_episodes"] + episodes, **more}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("adoption")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    x1_children = [child(c) for c in ("FC1", "FC2", "MB", "UK", "NF", "PY", "LX", "SB", "RH")]
    write_la(inbox, "X1", tables(x1_children, X1_EPISODES, adoption=X1_ADOPTION), extract_date="2024-06-30")
    write_la(inbox, "X2", tables([child("Z")], X2_EPISODES), extract_date="2024-06-30")
    write_la(inbox, "X3", tables(BREAKDOWN_CHILDREN, BREAKDOWN_EPISODES), extract_date="2024-06-30")
    assert run_refresh(inbox, warehouse).success
    return warehouse


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def figure(warehouse, indicator, period_type="month", month="2024-06", la="X1", dimension="all", value="all"):
    """(numerator, denominator, value rounded to 2 places) of one published row; None if there is none."""
    rows = query(warehouse, """select numerator, denominator, value from published.indicator_values
                               where la_code = $la and indicator_id = $i and period_type = $p
                                 and strftime(period_end, '%Y-%m') = $m and dimension = $d and dimension_value = $v""",
                 la=la, i=indicator, p=period_type, m=month, d=dimension, v=value)
    assert len(rows) <= 1
    if not rows:
        return None
    num, den, val = rows[0]
    return num, den, None if val is None else round(val, 2)


def test_all_las_published(warehouse):
    assert query(warehouse, "select la_code, status from published.publications order by 1") == [
        ("X1", "published"), ("X2", "published"), ("X3", "published")]


def test_adoptions_and_share_of_children_ceasing(warehouse):
    assert figure(warehouse, "ADO_ADOPTED") == (None, None, 3.0)  # FC1, UK, NF
    assert figure(warehouse, "ADO_ADOPTED", "fytd") == (None, None, 5.0)  # + FC2 (May), MB (April)
    assert figure(warehouse, "ADO_ADOPTED", "r12m") == (None, None, 6.0)  # + PY (September 2023)
    # FC1, UK, NF of FC1, UK, NF, RH: LX's X1 and SB's short breaks (V3) are no ceasing
    assert figure(warehouse, "ADO_CEASED_PCT") == (3, 4, 75.0)


def test_a10_moving_in_with_the_adoptive_family(warehouse):
    # FC1 89 (foster carer's placement from the P episode; B keeps the carer) + NF 92 (flag N: e0's
    # start); UK's period of care has an unknown start
    assert figure(warehouse, "ADO_A10_DAYS") == (181, 2, 90.5)
    assert figure(warehouse, "ADO_A10_DAYS", month="2024-05") == (30, 1, 30.0)  # FC2: from the T episode (U keeps)
    assert figure(warehouse, "ADO_A10_DAYS", month="2024-04") == (395, 1, 395.0)  # MB: e0's start


def test_days_over_longer_periods_are_cohort_weighted_means(warehouse):
    # fytd: (89 + 92 + 30 + 395) / 4 = 151.5, not the mean of the monthly means (90.5 + 30 + 395) / 3
    assert figure(warehouse, "ADO_A10_DAYS", "fytd") == (606, 4, 151.5)
    assert figure(warehouse, "ADO_A10_DAYS", "r12m") == (759, 5, 151.8)  # + PY 153
    assert figure(warehouse, "ADO_A10_DAYS", month="2024-03") == (0, 0, None)  # nobody adopted: no mean


def test_a20_court_authority_to_place(warehouse):
    # FC1 195 (PO from its E1 episode: the placement_order_date is null) + NF 92 (the same); UK left out
    assert figure(warehouse, "ADO_A20_DAYS") == (287, 2, 143.5)
    assert figure(warehouse, "ADO_A20_DAYS", month="2024-04") == (212, 1, 212.0)  # MB: the row's PO
    assert figure(warehouse, "ADO_A20_DAYS", "r12m") == (287 + 131 + 212 + 153, 5, 156.6)  # + FC2, MB, PY


def test_a2_court_authority_to_match(warehouse):
    # FC1 66 (its AD1 and placed_for_adoption rows are one record, the match kept) + UK 14 (an unknown
    # start does not matter to A2); NF has no match
    assert figure(warehouse, "ADO_A2_DAYS") == (80, 2, 40.0)
    assert figure(warehouse, "ADO_A2_DAYS", month="2024-04") == (0, 1, 0.0)  # MB matched before its PO
    assert figure(warehouse, "ADO_A2_DAYS", "fytd") == (80, 3, 26.67)  # FC2 has no adoption row


def test_without_an_adoption_file_a2_is_unavailable_the_others_are_not(warehouse):
    assert figure(warehouse, "ADO_A10_DAYS", la="X2") == (60, 1, 60.0)  # Z: 31 + 29 days to e0
    assert figure(warehouse, "ADO_ADOPTED", la="X2") == (None, None, 1.0)
    assert query(warehouse, "select count(*) from published.indicator_values "
                            "where la_code = 'X2' and indicator_id = 'ADO_A2_DAYS'") == [(0,)]


def breakdown(warehouse, indicator, dimension, month="2024-06"):
    rows = query(warehouse, """select dimension_value, value from published.indicator_values
                               where la_code = 'X3' and indicator_id = $i and dimension = $d and period_type = 'month'
                                 and strftime(period_end, '%Y-%m') = $m""", i=indicator, d=dimension, m=month)
    return {v: n for v, n in rows if n}  # the cells with children


def test_children_looked_after_breakdowns(warehouse):
    assert figure(warehouse, "CLA_OPEN", la="X3") == (None, None, 11.0)  # C1, B1-B9, B15
    assert breakdown(warehouse, "CLA_OPEN", "age_band") == {
        "under_1": 1, "1_4": 1, "5_9": 2, "10_15": 4, "16_plus": 2, "unknown": 1}
    assert breakdown(warehouse, "CLA_OPEN", "sex") == {"M": 5, "F": 4, "U": 2}
    assert breakdown(warehouse, "CLA_OPEN", "legal_status_group") == {
        "care_order": 5, "placement_order": 2, "s20": 2, "other": 2}
    assert breakdown(warehouse, "CLA_OPEN", "placement_group") == {
        "adoption": 1, "placed_with_parents": 1, "foster_ifa": 1, "foster_family_friends": 2, "foster_in_house": 1,
        "foster_other": 2, "residential": 1, "supported_independent": 1, "other": 1}
    assert breakdown(warehouse, "CLA_STARTED", "age_band") == {"1_4": 1, "10_15": 1}  # B3 (4 at its start), B6
    assert breakdown(warehouse, "CLA_STARTED", "age_band", "2024-05") == {"unknown": 1}  # B7
    assert breakdown(warehouse, "CLA_STARTED", "age_band", "2024-02") == {"under_1": 1}  # B1
    assert breakdown(warehouse, "CLA_CEASED", "reason_ceased_group") == {"sgo": 1, "returned_home": 1, "other": 1}


def test_each_breakdown_partitions_its_all_row(warehouse):
    # every month of X3, every dimension of CLA_OPEN, CLA_STARTED and CLA_CEASED: the cells add up to `all`
    rows = query(warehouse, """
        select cells.indicator_id, cells.dimension, cells.period_end, cells.total, totals.value
        from (
            select indicator_id, dimension, period_end, sum(value) as total
            from published.indicator_values
            where la_code = 'X3' and indicator_id in ('CLA_OPEN', 'CLA_STARTED', 'CLA_CEASED')
              and period_type = 'month' and dimension <> 'all'
            group by all
        ) as cells
        join published.indicator_values as totals
          on totals.la_code = 'X3' and totals.indicator_id = cells.indicator_id and totals.period_type = 'month'
         and totals.period_end = cells.period_end and totals.dimension = 'all'""")
    assert {(i, d) for i, d, *_ in rows} == {
        ("CLA_OPEN", d) for d in ("placement_type", "age_band", "sex", "legal_status_group", "placement_group")
    } | {("CLA_STARTED", "age_band"), ("CLA_CEASED", "reason_ceased_group")}
    assert [r for r in rows if r[3] != r[4]] == []
    assert sum(r[4] for r in rows if r[0] == "CLA_OPEN" and r[1] == "age_band") > 11  # not a sum of empty months

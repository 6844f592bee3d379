"""Every indicator of the catalogue beyond the seven of tests/defs/test_refresh.py, on a hand-made inbox,
through the real refresh (Dagster job, dbt, gate, publish); every expected figure is worked out by
hand in a comment beside it.

LA X1 supplies every entity, extract_date 2024-06-30 (so June 2024 is the latest month and
M1 = 2024-06-30), population 10,000 in 2023 and 20,000 in 2024. LA X2 supplies only the required
entities and has no population. Working days: Whit Monday 2024-05-27 is a bank holiday; June 2024
has none (weekdays 3-7, 10-14, 17-21, 24-28).

Two refreshes are shared by the module: the June extract (copied aside as `first`), then a July
extract of X1 with one referral recorded late and backdated to June, for indicator_history.
"""

import shutil

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from tests.inbox_builder import write_la

POPULATION = {2023: 10000, 2024: 20000}


def child(cid, dob="2015-01-01", uasc=""):
    return {"child_id": cid, "sex": "F", "date_of_birth": dob, "uasc": uasc}


def contact(kid, received, decided="", outcome=""):
    return {"contact_id": kid, "child_id": "C1", "contact_datetime": received, "contact_source": "1A",
            "decision_datetime": decided, "outcome": outcome}


CONTACTS = [
    contact("K1", "2024-05-31 16:00", "2024-06-03 09:00", "REFERRAL"),  # Fri -> Mon: 1 working day, decided in June
    contact("K2", "2024-06-07 10:00", "2024-06-11 10:00", "NFA"),  # Fri -> Tue: 2 working days
    contact("K3", "2024-06-14 09:00", "2024-06-14 17:00", "INFO_ADVICE"),  # same day: 0
    contact("K4", "2024-06-28 12:00"),  # no decision yet: received only
    contact("K5", "2024-05-24 15:00", "2024-05-28 09:00", "REFERRAL"),  # Fri -> Tue over Whit Monday: 1
]


def referral(rid, cid, day, nfa="N"):
    return {"referral_id": rid, "child_id": cid, "referral_date": day, "referral_source": "1A", "referral_nfa": nfa}


REFERRALS = [
    referral("R5", "C1", "2023-09-15"),
    referral("R1", "C1", "2024-06-03", nfa="Y"),  # 9 months after R5: a re-referral
    referral("R2", "C2", "2024-06-10"),
    referral("R3", "C3", "2024-06-20"),
    referral("R4", "C4", "2024-06-28"),
]


def assessment(aid, start, seen, authorised):
    return {"assessment_id": aid, "child_id": "C1", "start_date": start, "child_seen_date": seen,
            "authorisation_date": authorised}


ASSESSMENTS = [
    assessment("A1", "2024-06-03", "2024-06-10", "2024-06-20"),  # seen after 5 working days (Mon -> Mon): in
    assessment("A2", "2024-06-03", "2024-06-11", "2024-06-21"),  # 6: out
    assessment("A3", "2024-05-20", "2024-05-28", "2024-06-05"),  # 5 over Whit Monday (6 weekdays): in
    assessment("A4", "2024-06-10", "", "2024-06-12"),  # never seen: out
    assessment("A5", "2024-06-10", "2024-06-07", "2024-06-14"),  # seen before the start: out
]

STRATEGY_DISCUSSIONS = [
    {"strategy_id": "SD1", "child_id": "C1", "discussion_date": "2024-06-04", "s47_agreed": "Y"},
    {"strategy_id": "SD2", "child_id": "C2", "discussion_date": "2024-06-12", "s47_agreed": "N"},
    {"strategy_id": "SD3", "child_id": "C3", "discussion_date": "2024-06-19", "s47_agreed": "Y"},
    {"strategy_id": "SD4", "child_id": "C4", "discussion_date": "2024-05-15", "s47_agreed": "Y"},  # May
]


def s47(sid, cid, start, icpc=""):
    return {"s47_id": sid, "child_id": cid, "start_date": start, "icpc_date": icpc}


S47_ENQUIRIES = [
    s47("Q1", "C1", "2024-05-13", "2024-06-04"),  # 13 working days in May after the 13th (Whit Monday out) + 2: 15, in
    s47("Q2", "C2", "2024-05-13", "2024-06-05"),  # 16: out
    s47("Q3", "C3", "2024-06-05"),
    s47("Q4", "C4", "2024-06-19", "2024-06-18"),  # ICPC before the start (a warning): held, no timeliness
    s47("Q5", "C5", "2024-06-24"),
]


def plan(pid, cid, start, end="", initial="NEG", latest="", previous=""):
    return {"cp_plan_id": pid, "child_id": cid, "start_date": start, "end_date": end,
            "initial_category": initial, "latest_category": latest, "previous_plans": previous}


CP_PLANS = [
    plan("P1", "C1", "2022-06-30", initial="NEG", latest="EMO"),  # M1 - 2 years exactly: 2 years or more
    plan("P2", "C2", "2022-07-01"),  # a day short of 2 years
    plan("P3", "C3", "2024-06-17", initial="PHY"),  # 9 working days before M1: no visit due yet
    plan("P4", "C4", "2024-06-14"),  # 10 working days before M1: visit due
    plan("P5a", "C5", "2020-01-01", "2022-06-03"),
    plan("P5b", "C5", "2024-06-03"),  # previous plan ended exactly 2 years before: repeat within 2 years
    plan("P6a", "C6", "2020-01-01", "2022-06-02"),
    plan("P6b", "C6", "2024-06-10", initial="SAB"),  # previous ended 2 years and a day before: repeat, not within 2y
    plan("P7", "C7", "2024-06-20", previous="1"),  # first recorded plan, but previous_plans = 1: repeat ever
    plan("P8", "C8", "2022-06-15", "2024-06-15"),  # ended in June after exactly 2 years
    plan("P9", "C9", "2023-06-01", "2024-06-28"),  # ended in June after 13 months
]


def review(pid, cid, day):
    return {"cp_plan_id": pid, "child_id": cid, "review_date": day}


CP_REVIEWS = [
    # P1 (start 2022-06-30): first due +3 months, then previous + 6 months; all on the day they are due
    review("P1", "C1", "2022-09-30"), review("P1", "C1", "2023-03-30"), review("P1", "C1", "2023-09-30"),
    review("P1", "C1", "2023-12-30"), review("P1", "C1", "2024-06-30"),  # due 2023-12-30 + 6 months: in time
    # P2 (start 2022-07-01)
    review("P2", "C2", "2022-10-01"), review("P2", "C2", "2023-04-01"), review("P2", "C2", "2023-10-01"),
    review("P2", "C2", "2023-12-20"), review("P2", "C2", "2024-06-21"),  # due 2024-06-20: a day late
]


def visit(cid, day, kind="CP"):
    return {"child_id": cid, "visit_date": day, "visit_type": kind}


VISITS = [
    visit("C1", "2024-06-17"),  # 9 working days before M1: in
    visit("C2", "2024-06-14"),  # exactly 10: in
    visit("C4", "2024-06-14"),  # exactly 10: in
    visit("C5", "2024-06-13"),  # 11: out
    visit("C6", "2024-06-28", kind="CIN"),  # not a CP visit
    visit("L4", "2024-05-19", kind="CLA"),  # L4's placement began 2024-03-01: 42 days before M1, in
    visit("L3", "2024-05-18", kind="CLA"),  # L3's began 2024-02-01: 43 days, out
]

CIN_PLANS = [
    {"cin_plan_id": "CN1", "child_id": "C1", "start_date": "2024-01-01", "end_date": "2024-05-31"},  # ends on May's M1
    {"cin_plan_id": "CN2", "child_id": "C2", "start_date": "2024-02-01", "end_date": "2024-06-01"},  # open at 31 May
    {"cin_plan_id": "CN3", "child_id": "C3", "start_date": "2024-05-31"},  # starts on May's M1: open
    {"cin_plan_id": "CN5", "child_id": "C3", "start_date": "2024-05-01"},  # C3's second open plan: counted once
    {"cin_plan_id": "CN4", "child_id": "C4", "start_date": "2024-06-01"},
    {"cin_plan_id": "CN6", "child_id": "C6", "start_date": "2024-06-15"},
]


def episode(eid, cid, start, rne, legal="C2", place="U1", end="", rec=""):
    return {"episode_id": eid, "child_id": cid, "start_date": start, "reason_new_episode": rne,
            "legal_status": legal, "category_of_need": "N1", "placement_type": place, "end_date": end,
            "reason_episode_ceased": rec}


# M1 = 2024-06-30; M1 - 30 months = 2021-12-30; M1 - 24 months = 2022-06-30; M1 - 12 months = 2023-06-30
CLA_EPISODES = [
    # L1 (14): in care since M1 - 30 months, placed since M1 - 24 months: stable
    episode("L1a", "L1", "2021-12-30", "S", end="2022-06-30", rec="X1"),
    episode("L1b", "L1", "2022-06-30", "P", place="U4"),
    # L2 turns 16 on M1: outside the long-term stability cohort
    episode("L2a", "L2", "2021-01-01", "S"),
    # L3 (12): S, a legal-status-only change (L, same placement), then P and T: 3 placements in 12 months
    episode("L3a", "L3", "2021-06-01", "S", end="2023-08-01", rec="X1"),
    episode("L3b", "L3", "2023-08-01", "L", legal="C1", end="2023-10-01", rec="X1"),
    episode("L3c", "L3", "2023-10-01", "P", legal="C1", place="U5", end="2024-02-01", rec="X1"),
    episode("L3d", "L3", "2024-02-01", "T", legal="C1", place="U6"),
    # L4: S, L, P = 2 placements (3 if the L episode were wrongly taken as a move)
    episode("L4a", "L4", "2023-09-01", "S", place="R1", end="2024-01-15", rec="X1"),
    episode("L4b", "L4", "2024-01-15", "L", legal="C1", place="R1", end="2024-03-01", rec="X1"),
    episode("L4c", "L4", "2024-03-01", "P", legal="C1"),
    # L5: short breaks (V3), 3 placements: out of both stability measures; UASC
    episode("L5a", "L5", "2024-01-01", "S", legal="V3", end="2024-02-01", rec="X1"),
    episode("L5b", "L5", "2024-02-01", "P", legal="V3", place="U4", end="2024-04-01", rec="X1"),
    episode("L5c", "L5", "2024-04-01", "P", legal="V3", place="U5"),
    # L6 (UASC) starts to be looked after in June
    episode("L6a", "L6", "2024-06-03", "S", place="K2"),
    # L7 ceases in June
    episode("L7a", "L7", "2024-01-01", "S", end="2024-06-15", rec="E11"),
    # L8: the episode ending on M1 with X1 is followed by a new placement that day: still looked after
    episode("L8a", "L8", "2024-02-01", "S", end="2024-06-30", rec="X1"),
    episode("L8b", "L8", "2024-06-30", "P", place="K2"),
    # L9 ceases on M1 itself: not looked after at M1
    episode("L9a", "L9", "2024-03-01", "S", end="2024-06-30", rec="E3"),
    # L10 (12): in care since a day after M1 - 30 months: outside the long-term cohort
    episode("L10a", "L10", "2021-12-31", "S"),
]


def leaver(cid, in_touch, activity, accommodation):
    return {"child_id": cid, "contact_date": "2024-04-01", "in_touch": in_touch, "activity": activity,
            "accommodation": accommodation}


CARE_LEAVERS = [
    leaver("CL1", "YES", "F1", "B1"),  # 19 on M1: in the cohort; in touch, EET, suitable
    leaver("CL2", "YES", "F1", "B1"),  # 19 the day after M1: not yet
    leaver("CL3", "NO", "P4", "B1"),  # 21: not in touch, EET, suitable
    leaver("CL4", "YES", "F1", "B1"),  # 22 on M1: out (but 21 at the end of May)
    leaver("CL5", "DIED", "0", "0"),  # died: never in the cohort
    leaver("CL6", "YES", "G5", "C1"),  # 21: in touch, NEET, suitable
    leaver("CL7", "REFU", "0", "0"),  # 19: refused contact; activity and accommodation not known
]

CHILDREN = (
    [child(f"C{i}") for i in range(1, 10)]
    + [child("L1", "2010-03-01"), child("L2", "2008-06-30"), child("L3", "2012-01-01"), child("L4", "2015-01-01"),
       child("L5", "2011-05-05", uasc="Y"), child("L6", "2008-01-01", uasc="Y"), child("L7", "2010-01-01"),
       child("L8", "2010-01-01"), child("L9", "2010-01-01"), child("L10", "2012-01-01")]
    + [child("CL1", "2005-06-30"), child("CL2", "2005-07-01"), child("CL3", "2002-07-01"),
       child("CL4", "2002-06-30"), child("CL5", "2004-01-01"), child("CL6", "2003-03-03"), child("CL7", "2004-09-09")]
)

X1_TABLES = {
    "children": CHILDREN, "contacts": CONTACTS, "referrals": REFERRALS, "assessments": ASSESSMENTS,
    "strategy_discussions": STRATEGY_DISCUSSIONS, "s47_enquiries": S47_ENQUIRIES, "cp_plans": CP_PLANS,
    "cp_reviews": CP_REVIEWS, "visits": VISITS, "cin_plans": CIN_PLANS, "cla_episodes": CLA_EPISODES,
    "care_leavers": CARE_LEAVERS,
}

# X2: only the required entities, one row each where a row is needed, and no population
X2_TABLES = {
    "children": [child("C1")],
    "contacts": [contact("K1", "2024-06-03 10:00", "2024-06-03 12:00", "REFERRAL")],
    "referrals": [referral("R1", "C1", "2024-06-03")],
    "assessments": [assessment("A1", "2024-06-03", "2024-06-04", "2024-06-05")],
    "cp_plans": [plan("P1", "C1", "2024-06-10")],
    "cla_episodes": [episode("E1", "C1", "2024-01-01", "S")],
}

# the July extract of X1: R6 was recorded in July but dated in June (backdated recording)
LATE_REFERRAL = referral("R6", "C5", "2024-06-25")


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """(first, latest): the warehouse as published from the June extract, and after the July one."""
    root = tmp_path_factory.mktemp("catalogue")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    write_la(inbox, "X1", X1_TABLES, extract_date="2024-06-30", population=POPULATION)
    write_la(inbox, "X2", X2_TABLES, extract_date="2024-06-30")
    first = run_refresh(inbox, warehouse)
    assert first.success
    shutil.copy(warehouse, root / "first.duckdb")
    write_la(inbox, "X1", dict(X1_TABLES, referrals=REFERRALS + [LATE_REFERRAL]), extract_date="2024-07-31",
             population=POPULATION)
    assert run_refresh(inbox, warehouse).success
    return root / "first.duckdb", warehouse


@pytest.fixture(scope="module")
def first(warehouses):
    return warehouses[0]


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def figure(warehouse, indicator, month="2024-06", period_type="month", la="X1", dimension="all", value="all"):
    """(numerator, denominator, value rounded to 2 places) of one published row; None if there is no row."""
    rows = query(
        warehouse,
        """select numerator, denominator, value from published.indicator_values
           where la_code = $la and indicator_id = $i and period_type = $p and strftime(period_end, '%Y-%m') = $m
             and dimension = $d and dimension_value = $v""",
        la=la, i=indicator, p=period_type, m=month, d=dimension, v=value)
    assert len(rows) <= 1
    if not rows:
        return None
    num, den, val = rows[0]
    return num, den, None if val is None else round(val, 2)


def count(warehouse, indicator, month="2024-06", period_type="month", **kw):
    num, den, val = figure(warehouse, indicator, month, period_type, **kw)
    assert num is None and den is None
    return val


def test_both_las_published(first):
    assert query(first, "select la_code, status from published.publications order by 1") == [
        ("X1", "published"), ("X2", "published")]


def test_front_door(first):
    assert count(first, "CON_RECEIVED") == 3  # K2, K3, K4 (K1 was received in May)
    assert count(first, "CON_RECEIVED", "2024-05") == 2  # K5, K1
    assert figure(first, "CON_DECIDED_1WD") == (2, 3, 66.67)  # decided in June: K1 (1), K2 (2), K3 (0)
    assert figure(first, "CON_DECIDED_1WD", "2024-05") == (1, 1, 100.0)  # K5: Whit Monday is not a working day
    assert figure(first, "CON_DECIDED_1WD", period_type="fytd") == (3, 4, 75.0)  # April-June: K5, K1, K2, K3
    assert figure(first, "CON_TO_REFERRAL") == (1, 3, 33.33)  # K1 of K1, K2, K3
    assert count(first, "CON_RECEIVED", "2023-01") == 0  # a month without contacts is a 0, not missing


def test_referral_rate_and_nfa(first):
    assert figure(first, "REF_RATE") == (4, 20000, 2.0)  # R1-R4: 4 / 20,000 (2024) x 10,000
    assert figure(first, "REF_RATE", "2023-09") == (1, 10000, 1.0)  # R5 / 10,000 (2023 population)
    assert figure(first, "REF_RATE", "2022-08") == (0, None, None)  # no estimate for 2022 or before: no rate
    assert figure(first, "REF_RATE", period_type="r12m") == (5, 20000, 2.5)  # R5 + R1-R4, over June's population
    assert figure(first, "REF_NFA") == (1, 4, 25.0)  # R1
    assert figure(first, "REF_NFA", "2024-05") == (0, 0, None)  # no referrals: 0 / 0 is null
    assert figure(first, "REF_REREFERRAL") == (1, 4, 25.0)  # R1, 9 months after R5


def test_assessment_rate_and_child_seen(first):
    assert figure(first, "ASM_RATE") == (5, 20000, 2.5)  # A1-A5 authorised in June
    assert figure(first, "ASM_SEEN_5WD") == (2, 5, 40.0)  # A1 (5) and A3 (5 over Whit Monday)
    assert figure(first, "ASM_45WD") == (5, 5, 100.0)


def test_strategy_discussions_s47_and_icpc(first):
    assert count(first, "STR_COUNT") == 3  # SD1-SD3
    assert figure(first, "STR_TO_S47") == (2, 3, 66.67)  # SD1, SD3
    assert count(first, "S47_STARTED") == 3  # Q3, Q4, Q5
    assert figure(first, "S47_RATE") == (3, 20000, 1.5)
    assert count(first, "ICPC_HELD") == 3  # Q1, Q2, Q4 (dated before its enquiry, still held)
    assert figure(first, "ICPC_RATE") == (3, 20000, 1.5)
    assert figure(first, "S47_TO_ICPC") == (3, 3, 100.0)  # ICPCs held / enquiries started in June
    assert figure(first, "S47_TO_ICPC", "2024-05") == (0, 2, 0.0)  # Q1, Q2 started in May, no ICPC in May
    assert figure(first, "ICPC_15WD") == (1, 2, 50.0)  # Q1 in 15 working days, Q2 in 16; Q4 left out
    assert count(first, "STR_COUNT", "2024-05") == 1  # SD4


def test_cp_plan_flows(first):
    assert count(first, "CPP_STARTED") == 5  # P3, P4, P5b, P6b, P7
    by_category = {c: count(first, "CPP_STARTED", dimension="initial_category", value=c)
                   for c in ("NEG", "PHY", "SAB", "EMO", "MUL")}
    assert by_category == {"NEG": 3, "PHY": 1, "SAB": 1, "EMO": 0, "MUL": 0}  # P4, P5b, P7 / P3 / P6b
    assert count(first, "CPP_ENDED") == 2  # P8, P9
    assert figure(first, "CPP_ENDED_2Y") == (1, 2, 50.0)  # P8: exactly 2 years
    assert figure(first, "CPP_REPEAT_EVER") == (3, 5, 60.0)  # P5b, P6b (earlier plans), P7 (previous_plans)
    assert figure(first, "CPP_REPEAT_2Y") == (1, 5, 20.0)  # P5b only
    assert figure(first, "CPP_REVIEW_TIMELY") == (1, 2, 50.0)  # P1's on the due date, P2's a day late
    assert figure(first, "CPP_REVIEW_TIMELY", period_type="r12m") == (5, 6, 83.33)  # since July 2023: P2's June late


def test_cp_plan_snapshots(first):
    assert count(first, "CPP_OPEN") == 7  # C1-C7; C8 and C9 ended in June
    by_category = {c: count(first, "CPP_OPEN", dimension="latest_category", value=c)
                   for c in ("NEG", "PHY", "SAB", "EMO", "MUL")}
    # latest_category, else initial: C1 EMO; C2, C4, C5, C7 NEG; C3 PHY; C6 SAB
    assert by_category == {"NEG": 4, "PHY": 1, "SAB": 1, "EMO": 1, "MUL": 0}
    assert figure(first, "CPP_RATE") == (7, 20000, 3.5)
    assert figure(first, "CPP_OPEN_2Y") == (1, 7, 14.29)  # C1, on a plan since M1 - 2 years
    # visit due for C1, C2, C4 (10 working days), C5, C6; not C3 (9) or C7 (6). Visited: C1, C2, C4
    assert figure(first, "CPP_VISIT_10WD") == (3, 5, 60.0)
    assert figure(first, "CPP_VISIT_10WD", period_type="fytd") is None  # snapshots are monthly only


def test_children_in_need(first):
    assert count(first, "CIN_PLAN_OPEN", "2024-05") == 2  # C2 (ends 1 June), C3 (two plans); C1's ended on M1
    assert count(first, "CIN_PLAN_OPEN") == 3  # C3, C4, C6


def test_children_looked_after(first):
    # LAC(M1): L1-L4, L6, L8, L10 (L7 and L9 ceased; L5 is on short breaks, V3: care.md F.3)
    assert count(first, "CLA_OPEN") == 7
    assert figure(first, "CLA_RATE") == (7, 20000, 3.5)
    assert count(first, "CLA_SHORT_BREAKS") == 1  # L5
    assert count(first, "CLA_STARTED") == 1  # L6 (L8's new episode is not a start)
    assert count(first, "CLA_STARTED", "2024-01") == 1  # L7 (L5 began its short breaks that day, V3: not a start)
    assert count(first, "CLA_CEASED") == 2  # L7 (E11), L9 (E3 on M1); L8's X1 is not a ceasing
    # 3 or more placements: L3 (L4 has 2: its L episode is no move)
    assert figure(first, "CLA_3PLUS_PLACEMENTS") == (1, 7, 14.29)
    # under 16 and in care since M1 - 30 months: L1 (placed since M1 - 24 months), L3 (placed 2024-02-01)
    assert figure(first, "CLA_STABILITY_LT") == (1, 2, 50.0)
    assert count(first, "CLA_UASC") == 1  # L6 (L5 is on short breaks)
    by_placement = {p: count(first, "CLA_OPEN", dimension="placement_type", value=p)
                    for p in ("U1", "U4", "U5", "U6", "K2", "R1")}
    # current episodes: L2, L4, L10 U1; L1 U4; L3 U6; L6, L8 K2; nobody in R1 any more; L5's U5 is a short break
    assert by_placement == {"U1": 3, "U4": 1, "U5": 0, "U6": 1, "K2": 2, "R1": 0}


def test_children_looked_after_breakdowns_and_placement_mix(first):
    def breakdown(indicator, dimension, values):
        return {v: count(first, indicator, dimension=dimension, value=v) for v in values}
    # ages at M1: L4 9; L1 14, L3 12, L8 14, L10 12; L2 16 (that day), L6 16
    assert breakdown("CLA_OPEN", "age_band", ("under_1", "1_4", "5_9", "10_15", "16_plus", "unknown")) == {
        "under_1": 0, "1_4": 0, "5_9": 1, "10_15": 4, "16_plus": 2, "unknown": 0}
    assert breakdown("CLA_OPEN", "sex", ("M", "F", "U")) == {"M": 0, "F": 7, "U": 0}
    # L3, L4 under C1, the others C2
    assert breakdown("CLA_OPEN", "legal_status_group", ("care_order", "placement_order", "s20", "other")) == {
        "care_order": 7, "placement_order": 0, "s20": 0, "other": 0}
    # no providers recorded: U1-U3 family and friends (L2, L4, L10), U4-U6 other foster care (L1, L3)
    assert breakdown("CLA_OPEN", "placement_group", ("foster_family_friends", "foster_other", "residential",
                                                      "foster_ifa", "other")) == {
        "foster_family_friends": 3, "foster_other": 2, "residential": 2, "foster_ifa": 0, "other": 0}
    assert breakdown("CLA_STARTED", "age_band", ("10_15", "16_plus")) == {"10_15": 0, "16_plus": 1}  # L6, 16
    # flow breakdowns for months only: no financial-year or rolling-year cells (disclosure control)
    assert figure(first, "CLA_STARTED", period_type="fytd", dimension="age_band", value="16_plus") is None
    assert figure(first, "CLA_STARTED", period_type="fytd") == (None, None, 1.0)  # L6 (L7, L8, L9 began in 2023-24)
    assert breakdown("CLA_CEASED", "reason_ceased_group", ("adopted", "other", "sgo")) == {
        "adopted": 1, "other": 1, "sgo": 0}  # L7 E11, L9 E3
    assert figure(first, "CLA_FOSTER_PCT") == (5, 7, 71.43)  # L1-L4, L10
    assert figure(first, "CLA_IFA_PCT") == (0, 0, None)  # no provider known: no denominator
    # visits: L8's placement began on M1 (due M1 + 7 days), L4 visited 42 days before M1; the others
    # (L1, L2, L3, L6, L10) have no visit in their placement more than 7 days old, or L3's is 43 days old
    assert figure(first, "CLA_VISIT_TIMELY") == (2, 7, 28.57)


def test_care_leavers(first):
    # cohort at 30 June: CL1 (19 that day), CL3 (21), CL6 (21), CL7 (19)
    assert figure(first, "CL_IN_TOUCH") == (2, 4, 50.0)  # CL1, CL6
    assert figure(first, "CL_SUITABLE_ACCOM") == (3, 4, 75.0)  # CL1, CL3, CL6
    assert figure(first, "CL_EET") == (2, 4, 50.0)  # CL1 (F1 full time), CL3 (P4 part time); CL6 G5 is NEET
    # at 31 May: CL1 is 18, CL4 still 21: CL3, CL4, CL6, CL7, of whom CL4 and CL6 are in touch
    assert figure(first, "CL_IN_TOUCH", "2024-05") == (2, 4, 50.0)
    # NI147, in touch and suitable: CL1, CL6 (C1 is suitable); CL3 is suitable but not in touch
    assert figure(first, "CL_IN_TOUCH_SUITABLE") == (2, 4, 50.0)
    # by single year of age: 19 CL1 (in touch), CL7 (refused); 20 nobody; 21 CL3 (no), CL6 (yes)
    assert [figure(first, "CL_IN_TOUCH", dimension="age", value=a) for a in ("19", "20", "21")] == [
        (1, 2, 50.0), (0, 0, None), (1, 2, 50.0)]
    # 17-18: only CL2, 18 at M1 (19 the day after), F1: in education, employment or training
    assert figure(first, "CL_EET_17_18") == (1, 1, 100.0)
    assert figure(first, "CL_EET_17_18", dimension="age", value="17") == (0, 0, None)


def test_indicators_of_entities_not_supplied_have_no_rows(first):
    supplied_only = {r[0] for r in query(first, "select distinct indicator_id from published.indicator_values "
                                                "where la_code = 'X2'")}
    needs_optional = {"STR_COUNT", "STR_TO_S47", "S47_STARTED", "S47_RATE", "ICPC_HELD", "ICPC_RATE", "S47_TO_ICPC",
                      "ICPC_15WD", "CIN_PLAN_OPEN", "CPP_REVIEW_TIMELY", "CPP_VISIT_10WD", "CL_IN_TOUCH",
                      "CL_SUITABLE_ACCOM", "CL_EET", "CL_IN_TOUCH_SUITABLE", "CL_EET_17_18", "CLA_VISIT_TIMELY", "CLA_REVIEWS_HELD", "CLA_IHA_20WD",
                      "CLA_OC2_TEETH", "CLA_DOL_OPEN", "PF_OPEN", "PF_VISIT_TIMELY"}
    assert not supplied_only & needs_optional
    assert {"CON_RECEIVED", "REF_NFA", "ASM_SEEN_5WD", "CPP_STARTED", "CPP_OPEN_2Y", "CLA_UASC", "CLA_SHORT_BREAKS",
            "CLA_FOSTER_PCT"} <= supplied_only
    assert figure(first, "REF_RATE", la="X2") == (1, None, None)  # X2 has no population: rates unavailable
    assert count(first, "CON_RECEIVED", "2024-05", la="X2") == 0


def test_scorecard(first):
    rows = query(first, """select indicator_id, value, previous_month_value, same_month_last_year_value, fytd_value,
                                  target, rag, direction_vs_previous_month, direction_vs_last_year,
                                  benchmark_england, benchmark_england_period, benchmark_statistical_neighbours
                           from published.scorecard where la_code = 'X1' and period_end = '2024-06-30'""")
    card = {r[0]: r[1:] for r in rows}
    # one row per indicator X1 has (dimension 'all' only)
    assert len(card) == query(first, "select count(distinct indicator_id) from published.indicator_values "
                                     "where la_code = 'X1'")[0][0]
    value, previous, last_year, fytd, target, rag, vs_month, vs_year, england, period, neighbours = card["CON_DECIDED_1WD"]
    # 66.67%, down from May's 100%: worsening; June 2023 had no decisions (null): not comparable. No '*'
    # target: the 24-hour target of seeds/targets.csv is CON_DECIDED_24H's (practice.md section 5)
    assert (round(value, 2), previous, last_year, fytd) == (66.67, 100.0, None, 75.0)
    assert (target, rag, vs_month, vs_year) == (None, None, "worsening", "not comparable")
    value, previous, last_year, fytd, target, rag, vs_month, vs_year = card["CON_DECIDED_24H"][:8]
    # within 24:00:00 in June only K3 (8 hours; K1 65 hours, K2 4 days): 33.33% against 95 (tolerance 5): red;
    # May's K5 took 90 hours (0%): improving; FYTD 1 of 4
    assert (round(value, 2), previous, last_year, fytd) == (33.33, 0.0, None, 25.0)
    assert (target, rag, vs_month, vs_year) == (95.0, "red", "improving", "not comparable")
    assert card["ASM_45WD"][4:6] == (95.0, "green")  # 100% meets 95%
    assert card["CL_IN_TOUCH"][4:6] == (92.0, "red")  # 50%
    assert card["CL_IN_TOUCH"][8:11] == (91.0, "2020/21", None)  # England 2020/21; X1 has no statistical neighbours
    assert card["REF_NFA"][4:8] == (None, None, "not comparable", "not comparable")  # neutral, no target; May 0/0
    assert card["CPP_OPEN"][5] is None  # counts have no RAG
    assert card["CPP_OPEN"][3] is None  # snapshots have no FYTD


def test_shareable_tables_suppress_small_numbers(first):
    def shared(indicator, month="2024-06"):
        return query(first, """select numerator, denominator, value, suppressed from published.indicator_values_shareable
                               where la_code = 'X1' and indicator_id = $i and period_type = 'month'
                                 and strftime(period_end, '%Y-%m') = $m and dimension = 'all'""",
                     i=indicator, m=month)[0]
    assert shared("ICPC_HELD") == (None, None, None, True)  # 3
    assert shared("ASM_COMPLETED") == (None, None, 5.0, False)  # 5
    assert shared("ASM_SEEN_5WD") == (None, None, None, True)  # 2 of 5
    assert shared("REF_RATE") == (None, None, None, True)  # built on 4 referrals
    assert shared("CPP_OPEN") == (None, None, 5.0, False)  # 7, rounded to the nearest 5
    assert shared("CON_RECEIVED", "2023-01") == (None, None, None, True)  # 0: zeros are withheld too
    rag, value = query(first, "select rag, value from published.scorecard_shareable where la_code = 'X1' "
                              "and indicator_id = 'ICPC_15WD' and period_end = '2024-06-30'")[0]
    assert (rag, value) == (None, None)  # 1 of 2: withheld, so no RAG either (the internal scorecard has red)
    assert query(first, "select rag from published.scorecard where la_code = 'X1' and indicator_id = 'ICPC_15WD' "
                        "and period_end = '2024-06-30'") == [("red",)]


def test_history_shows_first_published_and_restated_figures(warehouses):
    _, latest = warehouses
    rows = query(latest, """select strftime(period_end, '%Y-%m'), first_published_value, latest_value, difference,
                                   is_restated, publications, first_extract_date::varchar, latest_extract_date::varchar
                            from published.indicator_restatements
                            where la_code = 'X1' and indicator_id = 'REF_COUNT' and period_type = 'month'
                              and dimension = 'all' and period_end >= '2024-05-01' order by 1""")
    assert rows == [
        ("2024-05", 0.0, 0.0, 0.0, False, 1, "2024-06-30", "2024-06-30"),  # unchanged in July: no new row
        ("2024-06", 4.0, 5.0, 1.0, True, 2, "2024-06-30", "2024-07-31"),  # R6, backdated to 25 June
        ("2024-07", 0.0, 0.0, 0.0, False, 1, "2024-07-31", "2024-07-31"),  # first published in July
    ]
    # X2 did not change: not refreshed again (incremental), nothing restated
    assert query(latest, "select count(*) from published.indicator_restatements where la_code = 'X2' and is_restated"
                 ) == [(0,)]
    assert query(latest, "select count(distinct published_at) from published.indicator_history") == [(2,)]

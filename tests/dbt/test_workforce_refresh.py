"""Oversight and workforce indicators (practice.md sections 1.4, 4, 5) through the real refresh, on a
hand-made inbox: a team of two gets null cells (value, numerator and denominator) in
published.indicator_values, teams are published normalised, and no raw staff ID reaches a published
table. Every expected figure is worked out by hand in a comment beside it; the boundary cases of each
definition are pinned by the dbt unit tests (dbt_project/models/marts/_marts.yml).

LA X1, extract_date 2024-03-31, so March 2024 is the latest month and M1 = 2024-03-31. Children
C1-C7 are open to CSC through open referrals (referral_nfa = N) since 2024-01-10; C8's referral
was NFA (not open). Caseload_high is the default 20.
"""

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from pipeline.paths import build_path_for
from pipeline.runtime.dbt_salt_plugin import pseudonym_salt
from tests.inbox_builder import write_la

# raw staff IDs: none of them may appear in any published table
STAFF = {"W1": "HR-4411", "W2": "HR-4412", "W3": "HR-4413", "W4": "HR-4414", "W5": "HR-4415"}
ALPHA = " Alpha\u00a0\u00a0 Team "  # published as "Alpha Team"
BETA = "Beta Team"


def referral(cid, nfa="N"):
    return {"referral_id": f"R{cid}", "child_id": cid, "referral_date": "2024-01-10", "referral_source": "1A",
            "referral_nfa": nfa}


def allocation(aid, cid, team, worker="", role="", start="2024-01-15", end=""):
    return {"allocation_id": aid, "child_id": cid, "team": team, "worker_id": STAFF.get(worker, ""),
            "worker_role": role, "start_date": start, "end_date": end}


def post(pid, team, status, fte, worker="", established="Y", as_at="2024-03-31", role="SW"):
    return {"as_at_date": as_at, "post_id": pid, "team": team, "role": role, "fte": fte,
            "established": established, "status": status, "worker_id": STAFF.get(worker, "")}


# a child whose case-system ID is also a member of staff's (W1's): the two pseudonyms must differ
CHILDREN = [{"child_id": cid, "sex": "F", "date_of_birth": "2015-01-01"} for cid in [f"C{i}" for i in range(1, 9)] + [STAFF["W1"]]]
REFERRALS = [referral(f"C{i}") for i in range(1, 8)] + [referral("C8", nfa="Y")]

# at M1: W1 holds C1, C2; W2 C3; W3 (ASYE) C4 (all Alpha); W4 C5, W5 C6 (Beta); C7 is held by
# Beta with no named worker (unallocated). A1x covered C3 for no day (end_date = start_date).
ALLOCATIONS = [
    allocation("A1", "C1", ALPHA, "W1", "SW"),
    allocation("A2", "C2", ALPHA, "W1", "SW"),
    allocation("A3", "C3", ALPHA, "W2", "SW"),
    allocation("A1x", "C3", ALPHA, "W1", "SW", start="2024-02-01", end="2024-02-01"),
    allocation("A4", "C4", ALPHA, "W3", "ASYE"),
    allocation("A5", "C5", BETA, "W4", "SW"),
    allocation("A6", "C6", BETA, "W5", "SW"),
    allocation("A7", "C7", BETA),
]

# the snapshot of 2024-03-31 (the latest in March; the one of 2024-03-15 is superseded); none in February
POSTS = [
    post("P1", ALPHA, "PERMANENT", "1.00", "W1"),
    post("P2", ALPHA, "PERMANENT", "0.50", "W2"),
    post("P3", ALPHA, "AGENCY", "1.00", "W3"),
    post("P4", ALPHA, "VACANT", "0.75"),
    post("P5", BETA, "PERMANENT", "1.00", "W4"),
    post("P6", BETA, "AGENCY", "1.00", "W5", established="N"),
    post("P1", ALPHA, "VACANT", "1.00", as_at="2024-03-15"),
]

# the required entities need rows: C8's, all over before 2024, so nobody else is open at M1
OTHER_TABLES = {
    "contacts": [{"contact_id": "K1", "child_id": "C8", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A",
                  "decision_datetime": "2024-01-05 12:00", "outcome": "NFA"}],
    "assessments": [{"assessment_id": "AS1", "child_id": "C8", "start_date": "2023-01-02",
                     "authorisation_date": "2023-02-01"}],
    "cp_plans": [{"cp_plan_id": "CP1", "child_id": "C8", "start_date": "2023-02-01", "end_date": "2023-06-01",
                  "initial_category": "NEG"}],
    "cla_episodes": [{"episode_id": "E1", "child_id": "C8", "start_date": "2023-06-01", "reason_new_episode": "S",
                      "legal_status": "V3", "category_of_need": "N1", "placement_type": "U1",
                      "end_date": "2023-08-01", "reason_episode_ceased": "E11"}],
}

SUPERVISIONS = [
    {"supervision_id": "S1", "child_id": "C1", "supervision_date": "2024-03-20", "type": "CASE_SUPERVISION"},
    {"supervision_id": "S2", "child_id": "C2", "supervision_date": "2024-03-20", "type": "MGMT_OVERSIGHT"},
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("workforce")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    write_la(inbox, "X1", {**OTHER_TABLES, "children": CHILDREN, "referrals": REFERRALS, "allocations": ALLOCATIONS,
                           "workforce_posts": POSTS, "supervisions": SUPERVISIONS}, extract_date="2024-03-31")
    assert run_refresh(inbox, warehouse).success
    return warehouse


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def figure(warehouse, indicator, dimension="all", value="all", month="2024-03"):
    """(numerator, denominator, value rounded to 2 places) of one published row; None if there is no row."""
    rows = query(
        warehouse,
        """select numerator, denominator, value from published.indicator_values
           where la_code = 'X1' and indicator_id = $i and period_type = 'month'
             and strftime(period_end, '%Y-%m') = $m and dimension = $d and dimension_value = $v""",
        i=indicator, m=month, d=dimension, v=value)
    assert len(rows) <= 1
    if not rows:
        return None
    num, den, val = rows[0]
    return num, den, None if val is None else round(val, 2)


def test_a_team_of_two_workers_gets_null_cells(warehouse):
    # caseloads at M1: W1 2 (C1, C2; A1x covers no day), W2 1, W3 1, W4 1, W5 1 = 6 over 5 workers
    assert figure(warehouse, "ALL_CASELOAD_AVG") == (6, 5, 1.2)
    assert figure(warehouse, "ALL_CASELOAD_AVG", "team", "Alpha Team") == (4, 3, 1.33)  # W1-W3
    assert figure(warehouse, "ALL_CASELOAD_AVG", "team", BETA) == (None, None, None)  # W4, W5: two workers
    assert figure(warehouse, "ALL_CASELOAD_AVG", "worker_role", "SW") == (5, 4, 1.25)  # W1, W2, W4, W5
    assert figure(warehouse, "ALL_CASELOAD_AVG", "worker_role", "ASYE") == (None, None, None)  # W3 alone
    assert figure(warehouse, "ALL_OVER_CASELOAD") == (0, 5, 0.0)  # nobody above 20
    assert figure(warehouse, "ALL_OVER_CASELOAD", "team", BETA) == (None, None, None)
    # case holders (SW, permanent or agency, case_holding null = Y): W1 1.00, W2 0.50, W3 1.00,
    # W4 1.00, W5 1.00 (over establishment, still a case holder) = 450 centi-FTE; caseloads 6
    assert figure(warehouse, "WF_CASELOAD_FTE") == (6, 450, 1.33)
    assert figure(warehouse, "WF_CASELOAD_FTE", "team", "Alpha Team") == (4, 250, 1.6)
    assert figure(warehouse, "WF_CASELOAD_FTE", "team", BETA) == (None, None, None)


def test_workforce_posts_in_centi_fte(warehouse):
    # E (established, 31 March snapshot): P1 100, P2 50, P3 100, P4 75, P5 100 = 425
    assert figure(warehouse, "WF_PERMANENT_PCT") == (250, 425, 58.82)  # P1, P2, P5
    assert figure(warehouse, "WF_AGENCY_PCT") == (100, 425, 23.53)  # P3 (P6 is not established)
    assert figure(warehouse, "WF_VACANT_PCT") == (75, 425, 17.65)  # P4
    assert figure(warehouse, "WF_PERMANENT_PCT", "team", "Alpha Team") == (150, 325, 46.15)  # P1, P2 of P1-P4
    assert figure(warehouse, "WF_PERMANENT_PCT", "team", BETA) == (None, None, None)  # P5 alone
    # February has no snapshot: the rows exist, all null
    assert figure(warehouse, "WF_PERMANENT_PCT", month="2024-02") == (None, None, None)


def test_children_open_unallocated_and_supervised(warehouse):
    assert figure(warehouse, "SUP_OPEN_CASES") == (None, None, 7.0)  # C1-C7 (C8's referral was NFA)
    # C1's case supervision is within a month; C2's management oversight does not count (setting N)
    assert figure(warehouse, "SUP_WITHIN_1M") == (1, 7, 14.29)
    assert figure(warehouse, "SUP_OPEN_CASES", "supervision_band", "never_new") == (None, None, 0.0)
    assert figure(warehouse, "SUP_OPEN_CASES", "supervision_band", "never") == (None, None, 6.0)
    assert figure(warehouse, "ALL_UNALLOCATED") == (None, None, 1.0)  # C7: team-only row
    assert figure(warehouse, "ALL_UNALLOCATED", "team", BETA) == (None, None, 1.0)
    assert figure(warehouse, "ALL_UNALLOCATED", "case_type", "CIN") == (None, None, 1.0)


def test_no_raw_staff_id_in_any_published_table(warehouse):
    tables = query(warehouse, """select table_name from information_schema.tables
                                 where table_schema = 'published'""")
    assert {"indicator_values", "indicator_values_shareable", "scorecard"} <= {t for (t,) in tables}
    found = []
    for (table,) in tables:
        columns = [c for (c,) in query(warehouse, """select column_name from information_schema.columns
                                                      where table_schema = 'published' and table_name = $t""",
                                       t=table)]
        text = " || '|' || ".join(f"coalesce(cast(\"{c}\" as varchar), '')" for c in columns)
        hits = query(warehouse, f"select count(*) from published.\"{table}\" where "
                                + " or ".join(f"({text}) like '%{raw}%'" for raw in STAFF.values()))
        if hits[0][0]:
            found.append(table)
    assert not found


def test_a_staff_id_has_one_pseudonym_apart_from_any_child_s(warehouse):
    """worker_id is hashed as child_id is, with the input prefixed 'worker:' (practice.md 1.4): the same
    pseudonym in allocations and workforce_posts, never a child's (the staging views, salt set as dbt sets it)."""
    with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
        con.execute("set variable pseudonym_salt = $salt", {"salt": pseudonym_salt()})
        allocated = con.execute("select worker_id from staging.stg_allocations where allocation_id = 'A1'").fetchone()[0]
        posted = con.execute("""select worker_id from staging.stg_workforce_posts
                                where post_id = 'P1' and as_at_date = date '2024-03-31'""").fetchone()[0]
        expected, as_child = con.execute("""select sha256(getvariable('pseudonym_salt') || 'worker:' || $raw),
                                                   sha256(getvariable('pseudonym_salt') || $raw)""",
                                         {"raw": STAFF["W1"]}).fetchone()
        children = {c for (c,) in con.execute("select child_id from staging.stg_children").fetchall()}
    assert allocated == posted == expected
    assert as_child in children and allocated not in children

"""The short-breaks correction (care.md F.3), through the real refresh: an LA whose short breaks (V3/V4)
move its CLA rate, and the restatement the correction makes of figures published before it.

LA X1, extract 2024-03-31 (M1 = 2024-03-31), population 1,000 aged 0-17. Episodes:
  C1  S  C2  2023-01-01, open                                  looked after
  C2  S  V3  2024-01-10, open                                  short breaks
  C3  S  V4  2023-06-01 .. 2024-02-15 (E8)                     short breaks, ceased in February
  C4  S  C2  2024-02-01, open                                  looked after, started in February
  C5  S  V3  2024-03-01 .. 2024-03-20 (X1), then L C2 open     short breaks, then looked after: a
                                                               period begun under V3 is never a start
As at 31 March LAC(M1) is C1, C4, C5: CLA_OPEN 3, rate 3 / 1,000 x 10,000 = 30 (counting short breaks, as
before the correction: 4 and 40). CLA_SHORT_BREAKS 1 (C2). Starts (S episodes not under V3/V4): February
C4 only (before: also C3 in June 2023, C2 in January, C5 in March). Ceased: none (before: C3 in February).

Restatement: how the correction reaches indicator_history is shown by making the first publication
what the previous definitions published (its history rows for the changed figures are set to the
old values above, worked out by hand), then refreshing again with the corrected models: the refresh
records exactly those figures again with their new values, and indicator_restatements shows them as
restated (first published = old, latest = new). We do not build the previous commit's dbt project in
the test; the old values are the hand-worked figures of the superseded indicators.md definitions.
"""

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from tests.inbox_builder import write_la
from tests.quality.extracts import BASE


def episode(eid, cid, start, rne, legal, place="U4", end="", rec=""):
    return {"episode_id": eid, "child_id": cid, "start_date": start, "reason_new_episode": rne,
            "legal_status": legal, "category_of_need": "N1", "placement_type": place, "end_date": end,
            "reason_episode_ceased": rec}


# the other required entities need a row each (an empty one holds the LA back): the gate tests' extract
TABLES = {
    **{name: BASE[name] for name in ("contacts", "referrals", "assessments", "cp_plans")},
    "children": [{"child_id": f"C{i}", "sex": "F", "date_of_birth": "2015-01-01"} for i in range(1, 6)],
    "cla_episodes": [
        episode("E1", "C1", "2023-01-01", "S", "C2", place="U1"),
        episode("E2", "C2", "2024-01-10", "S", "V3"),
        episode("E3", "C3", "2023-06-01", "S", "V4", end="2024-02-15", rec="E8"),
        episode("E4", "C4", "2024-02-01", "S", "C2", place="K2"),
        episode("E5", "C5", "2024-03-01", "S", "V3", end="2024-03-20", rec="X1"),
        episode("E6", "C5", "2024-03-20", "L", "C2"),
    ],
}

# (indicator, period_type, period_end): (numerator, value) as published before the correction
OLD = {
    ("CLA_OPEN", "month", "2024-03-31"): (None, 4.0),
    ("CLA_RATE", "month", "2024-03-31"): (4, 40.0),
    ("CLA_STARTED", "month", "2024-01-31"): (None, 1.0),
    ("CLA_CEASED", "month", "2024-02-29"): (None, 1.0),
}


def query(warehouse, sql, **params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def value(warehouse, indicator, period_end, period_type="month", dimension="all", dimension_value="all"):
    rows = query(warehouse, """select numerator, denominator, value from published.indicator_values
                               where la_code = 'X1' and indicator_id = $i and period_type = $p
                                 and period_end = $e and dimension = $d and dimension_value = $v""",
                 i=indicator, p=period_type, e=period_end, d=dimension, v=dimension_value)
    assert len(rows) == 1, (indicator, period_type, period_end, rows)
    return rows[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("short_breaks")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    write_la(inbox, "X1", TABLES, extract_date="2024-03-31", population={2023: 1000, 2024: 1000})
    assert run_refresh(inbox, warehouse).success
    return inbox, warehouse


def test_short_breaks_move_the_rate(published):
    _, warehouse = published
    assert value(warehouse, "CLA_OPEN", "2024-03-31") == (None, None, 3.0)
    assert value(warehouse, "CLA_RATE", "2024-03-31") == (3, 1000, 30.0)
    assert value(warehouse, "CLA_SHORT_BREAKS", "2024-03-31") == (None, None, 1.0)
    # C2 in U4 is a short break: the placement breakdown partitions LAC(M1)
    assert value(warehouse, "CLA_OPEN", "2024-03-31", dimension="placement_type", dimension_value="U4")[2] == 1.0
    # 29 February: C1 and C4 looked after, C2 on short breaks (C3 ceased on the 15th)
    assert value(warehouse, "CLA_OPEN", "2024-02-29")[2] == 2.0
    assert [value(warehouse, "CLA_STARTED", m)[2] for m in ("2024-01-31", "2024-02-29", "2024-03-31")] == [0, 1, 0]
    assert value(warehouse, "CLA_STARTED", "2024-03-31", period_type="fytd")[2] == 1.0  # C4 (C3's V4 start in June)
    assert value(warehouse, "CLA_CEASED", "2024-02-29")[2] == 0.0


def test_next_refresh_records_the_corrected_figures_as_restatements(published):
    inbox, warehouse = published
    with duckdb.connect(str(warehouse)) as con:
        for (indicator, period_type, period_end), (numerator, old) in OLD.items():
            changed = con.execute(
                """update published.indicator_history set value = $v, numerator = $n
                   where la_code = 'X1' and indicator_id = $i and period_type = $p and period_end = $e
                     and dimension = 'all' returning 1""",
                {"v": old, "n": numerator, "i": indicator, "p": period_type, "e": period_end}).fetchall()
            assert changed == [(1,)]
    before = query(warehouse, "select count(*) from published.indicator_history")[0][0]
    assert run_refresh(inbox, warehouse, la_codes=["X1"]).success
    # only the four figures whose definition changed get a new history row
    assert query(warehouse, "select count(*) from published.indicator_history")[0][0] == before + 4
    restated = query(warehouse, """select indicator_id, period_type, period_end::varchar, first_published_value,
                                          latest_value, difference, publications
                                   from published.indicator_restatements
                                   where la_code = 'X1' and is_restated order by all""")
    assert restated == [
        ("CLA_CEASED", "month", "2024-02-29", 1.0, 0.0, -1.0, 2),
        ("CLA_OPEN", "month", "2024-03-31", 4.0, 3.0, -1.0, 2),
        ("CLA_RATE", "month", "2024-03-31", 40.0, 30.0, -10.0, 2),
        ("CLA_STARTED", "month", "2024-01-31", 1.0, 0.0, -1.0, 2),
    ]

"""Working-day calendar: seeds/bank_holidays.csv, int_working_days and the working_days() macro.

wd(a, b) (indicators.md) = the number of working days d with a < d <= b. The dbt build runs once
per session into a temporary DuckDB file; dbt runs in a subprocess so that its DuckDB connection
is closed before the tests open the file.
"""

import json
from datetime import date

import duckdb
import numpy as np
import pytest

from tests.dbt.dbt_cli import run_dbt

# (start, end, expected wd, why): worked out by hand from the GOV.UK list
EDGE_CASES = [
    ("2023-04-06", "2023-04-11", 1, "Thu before Easter to Tue after: Good Friday and Easter Monday"),
    ("2022-12-23", "2022-12-28", 1, "Christmas 2022 on a Sunday: substitute days Mon 26 and Tue 27"),
    ("2021-12-24", "2021-12-29", 1, "Christmas 2021 on a Saturday: substitute days Mon 27 and Tue 28"),
    ("2022-09-16", "2022-09-20", 1, "State Funeral bank holiday Mon 19 Sep 2022"),
    ("2023-05-05", "2023-05-09", 1, "Coronation bank holiday Mon 8 May 2023"),
    ("2020-05-07", "2020-05-11", 1, "Early May bank holiday moved to Fri 8 May 2020"),
    ("2022-06-01", "2022-06-06", 1, "Platinum Jubilee Thu 2 and Fri 3 June 2022"),
    ("2024-06-12", "2024-06-12", 0, "same day"),
    ("2024-06-14", "2024-06-17", 1, "Friday to the next Monday"),
    ("2024-06-15", "2024-06-17", 1, "Saturday to Monday"),
    ("2024-06-15", "2024-06-16", 0, "Saturday to Sunday"),
    ("2023-05-08", "2023-05-09", 1, "start on a bank holiday"),
    ("2024-01-01", "2024-12-31", 254, "2024: 262 weekdays less 8 bank holidays"),
]


# the macro as a model would call it: hand-worked cases plus its null, reverse and timestamp cases
MACRO_CASES = [(f"date '{a}'", f"date '{b}'", wd) for a, b, wd, _ in EDGE_CASES] + [
    ("date '2023-04-11'", "date '2023-04-06'", -1),  # b < a: -wd(b, a)
    ("date '2024-12-31'", "date '2024-01-01'", -254),
    ("null", "date '2023-04-06'", None),
    ("date '2023-04-06'", "null", None),
    ("timestamp '2022-09-16 23:30:00'", "timestamp '2022-09-20 08:00:00'", 1),  # dates of timestamps
    ("date '2008-12-31'", "date '2009-01-05'", None),  # outside the calendar: unknown, not 0
]


@pytest.fixture(scope="session")
def calendar(tmp_path_factory):
    """Build the seed, int_working_days and its data tests, then evaluate MACRO_CASES with
    working_days() through `dbt show`, all before any test opens the DuckDB file (dbt needs the
    write lock). Returns (db_path, {case index: wd from the macro})."""
    work_dir = tmp_path_factory.mktemp("working_days")
    db_path = work_dir / "build.duckdb"
    run_dbt(db_path, work_dir, "build", "--select", "bank_holidays", "int_working_days")
    values = ", ".join(f"({i}, {a}, {b})" for i, (a, b, _) in enumerate(MACRO_CASES))
    inline = (
        "select case_id, {{ working_days('start_day', 'end_day') }} as wd "
        f"from (values {values}) as cases(case_id, start_day, end_day)"
    )
    out = run_dbt(db_path, work_dir, "show", "--inline", inline, "--output", "json", "--limit", "-1", "--quiet")
    return db_path, {row["case_id"]: row["wd"] for row in json.loads(out)["show"]}


@pytest.fixture(scope="session")
def con(calendar):
    connection = duckdb.connect(str(calendar[0]), read_only=True)
    yield connection
    connection.close()


def index_wd(con, start: str, end: str):
    """wd(a, b) from the index formula, read straight from int_working_days."""
    return con.execute(
        """select b.working_day_index - a.working_day_index
           from intermediate.int_working_days a, intermediate.int_working_days b
           where a.date_day = ?::date and b.date_day = ?::date""",
        [start, end],
    ).fetchone()[0]


@pytest.mark.parametrize("start,end,expected,why", EDGE_CASES, ids=[c[3] for c in EDGE_CASES])
def test_index_formula_edge_cases(con, start, end, expected, why):
    assert index_wd(con, start, end) == expected


def test_macro_matches_hand_worked_cases(calendar):
    _, macro_wd = calendar
    assert macro_wd == {i: wd for i, (_, _, wd) in enumerate(MACRO_CASES)}


def test_bank_holidays_per_year(con):
    per_year = dict(
        con.execute(
            "select year(date), count(*) from seeds.bank_holidays group by all order by 1"
        ).fetchall()
    )
    assert set(range(2010, 2031)) <= set(per_year)
    assert all(8 <= n <= 10 for n in per_year.values()), per_year
    assert per_year[2022] == 10
    assert {2011: 9, 2012: 9, 2023: 9} == {y: per_year[y] for y in (2011, 2012, 2023)}
    one_offs = ["2011-04-29", "2012-06-04", "2012-06-05", "2020-05-08", "2022-06-02", "2022-06-03",
                "2022-09-19", "2023-05-08", "2027-12-27", "2027-12-28", "2028-01-03"]
    found = {str(d) for (d,) in con.execute("select date from seeds.bank_holidays").fetchall()}
    assert set(one_offs) <= found
    assert "2020-05-04" not in found and "2022-05-30" not in found and "2012-05-28" not in found


def test_calendar_is_contiguous_and_index_counts_working_days(con):
    days, working, index = con.execute(
        """select list(date_day order by date_day), list(is_working_day order by date_day),
                  list(working_day_index order by date_day)
           from intermediate.int_working_days"""
    ).fetchone()
    days = np.array(days, dtype="datetime64[D]")
    assert days[0] == np.datetime64("2009-01-01") and days[-1] == np.datetime64("2031-12-31")
    assert (np.diff(days) == np.timedelta64(1, "D")).all()
    assert index[0] == 0
    assert (np.diff(index) == np.array(working[1:], dtype=int)).all()


def test_index_formula_matches_numpy_busday_count(con):
    """Independent oracle: numpy counts business days in [begin, end), so wd(a, b) = busday_count(a+1, b+1)."""
    holidays = np.array([d for (d,) in con.execute("select date from seeds.bank_holidays").fetchall()],
                        dtype="datetime64[D]")
    calendar = con.execute(
        "select date_day, working_day_index from intermediate.int_working_days order by date_day"
    ).fetchnumpy()
    days = calendar["date_day"].astype("datetime64[D]")
    index = calendar["working_day_index"]
    rng = np.random.default_rng(20240229)
    a = rng.integers(0, len(days), 20_000)
    b = np.minimum(a + rng.integers(0, 120, a.size), len(days) - 1)
    expected = np.busday_count(days[a] + 1, days[b] + 1, holidays=holidays)
    assert (index[b] - index[a] == expected).all()


def test_bank_holidays_are_not_working_days(con):
    flags = dict(
        con.execute(
            """select date_day::varchar, is_working_day from intermediate.int_working_days
               where date_day in ('2022-09-19', '2023-05-08', '2016-12-27', '2023-05-09', '2024-06-15')"""
        ).fetchall()
    )
    assert flags == {"2022-09-19": False, "2023-05-08": False, "2016-12-27": False,
                     "2023-05-09": True, "2024-06-15": False}
    assert date(2024, 6, 15).weekday() == 5  # the last one is a Saturday

"""The synthetic inbox generator: deterministic, valid against the extract contract, roughly English.

The contract checker here is deliberately independent of the loader: it reads entities.yml and
code_lists.csv itself and asks DuckDB about the CSV files as written.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.generate import DEFAULT_EXTRACT_DATE, generate_inbox

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "pipeline" / "specs" / "entities.yml").read_text())
CODE_LISTS = ROOT / "seeds" / "code_lists.csv"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_RE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inbox")
    assert generate_inbox(out) == ["X99000001", "X99000002", "X99000003"]
    return out


@pytest.fixture(scope="module")
def db(inbox) -> duckdb.DuckDBPyConnection:
    """One table per LA x entity (<la>_<entity>) from the CSVs, all columns as text, empty cell = NULL."""
    con = duckdb.connect()
    con.execute(f"create table codes as select * from read_csv('{CODE_LISTS}', all_varchar=true)")
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        for entity in SPEC:
            con.execute(f"create table {folder.name}_{entity} as "
                        f"select * from read_csv('{folder / (entity + '.csv')}', all_varchar=true, header=true)")
    return con


@pytest.fixture(scope="module")
def populations(inbox) -> dict[str, int]:
    """Children 0-17 in the extract year, per LA, from the manifests."""
    return {p.name: yaml.safe_load((p / "manifest.yml").read_text())["population_0_17"][DEFAULT_EXTRACT_DATE.year]
            for p in inbox.iterdir() if p.is_dir()}


def _count(con, sql: str, *params) -> int:
    return con.execute(sql, params).fetchone()[0]


def _contract_violations(con, la: str, folder: Path, extract: date) -> list[str]:
    problems = []
    for entity, spec in SPEC.items():
        table = f"{la}_{entity}"
        header = (folder / f"{entity}.csv").read_text().split("\n", 1)[0].split(",")
        if header != list(spec["columns"]):
            problems.append(f"{table}: header {header}")
            continue
        if _count(con, f"select count(*) from {table}") == 0:
            problems.append(f"{table}: no rows")
        for col, opts in spec["columns"].items():
            opts = opts or {}
            kind, bad = opts["type"], []
            if kind == "date":
                bad.append(f"not regexp_full_match({col}, '{DATE_RE}') or try_cast({col} as date) is null "
                           f"or cast({col} as date) > date '{extract}'")
            if kind == "datetime":
                bad.append(f"not regexp_full_match({col}, '{DATETIME_RE}') or try_cast({col} as timestamp) is null "
                           f"or cast({col} as date) > date '{extract}'")
            if kind == "flag":
                bad.append(f"{col} not in ('Y', 'N')")
            if kind == "integer":
                bad.append(f"try_cast({col} as bigint) is null or cast({col} as bigint) < {opts.get('min', 0)}")
            if "codes" in opts:
                bad.append(f"{col} not in (select code from codes where list_name = '{opts['codes']}')")
            if "pattern" in opts:
                bad.append(f"not regexp_full_match({col}, '{opts['pattern']}')")
            if opts.get("required"):
                n = _count(con, f"select count(*) from {table} where {col} is null")
                if n:
                    problems.append(f"{table}.{col}: {n} nulls in a required column")
            for cond in bad:
                n = _count(con, f"select count(*) from {table} where {col} is not null and ({cond})")
                if n:
                    problems.append(f"{table}.{col}: {n} rows where {cond}")
        for earlier, later, _severity in spec.get("order", []):
            n = _count(con, f"select count(*) from {table} where cast({later} as timestamp) < cast({earlier} as timestamp)")
            if n:
                problems.append(f"{table}: {n} rows with {later} before {earlier}")
        if spec.get("key"):
            key = spec["key"]
            n = _count(con, f"select count(*) - count(distinct {key}) from {table}")
            if n:
                problems.append(f"{table}: {n} duplicate {key}")
        if entity != "children":
            n = _count(con, f"select count(*) from {table} where child_id not in (select child_id from {la}_children)")
            if n:
                problems.append(f"{table}: {n} rows whose child_id is not in children")
            for col, opts in spec["columns"].items():
                if opts and opts["type"] in ("date", "datetime"):
                    n = _count(con, f"select count(*) from {table} e join {la}_children c using (child_id) "
                                    f"where cast(e.{col} as date) < cast(c.date_of_birth as date)")
                    if n:
                        problems.append(f"{table}.{col}: {n} rows before the child's date of birth")
    return problems


def test_manifests_describe_fictional_las(inbox):
    populations = []
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        manifest = yaml.safe_load((folder / "manifest.yml").read_text())
        assert manifest["la_code"] == folder.name and folder.name.startswith("X99")
        assert manifest["la_name"].startswith("Synthetic Borough")
        assert manifest["extract_date"] == DEFAULT_EXTRACT_DATE
        assert manifest["case_system"] == "synthetic"
        assert sorted(manifest["population_0_17"]) == [2023, 2024, 2025, 2026]
        assert all(30_000 <= v <= 61_000 for v in manifest["population_0_17"].values())
        populations.append(manifest["population_0_17"][2026])
    assert len(set(populations)) == 3


def test_every_file_satisfies_the_row_rules(inbox, db):
    problems = []
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        problems += _contract_violations(db, folder.name, folder, DEFAULT_EXTRACT_DATE)
        # date_of_birth may be null only for an unborn child with an expected date of birth
        undated = _count(db, f"select count(*) from {folder.name}_children "
                             f"where date_of_birth is null and expected_date_of_birth is null")
        if undated:
            problems.append(f"{folder.name}_children: {undated} children with neither birth date")
    assert problems == []


def test_no_overlapping_plans_or_episodes_and_periods_are_contiguous(inbox, db):
    for la in sorted(p.name for p in inbox.iterdir() if p.is_dir()):
        for entity in ("cp_plans", "cla_episodes"):
            overlaps = _count(db, f"""
                select count(*) from {la}_{entity} a join {la}_{entity} b
                  on a.child_id = b.child_id and cast(a.start_date as date) < cast(b.start_date as date)
                where a.end_date is null or cast(a.end_date as date) > cast(b.start_date as date)""")
            assert overlaps == 0, f"{la} {entity}"
        # a period of care: an S episode, then episodes each starting the day the previous ended with X1,
        # until one ends with an E-code (or is still open)
        broken = _count(db, f"""
            with e as (select *,
                         lag(end_date) over w as prev_end, lag(reason_episode_ceased) over w as prev_rec,
                         lead(start_date) over w as next_start
                       from {la}_cla_episodes window w as (partition by child_id order by cast(start_date as date)))
            select count(*) from e
            where (reason_new_episode <> 'S' and (prev_end is distinct from start_date or prev_rec <> 'X1'))
               or (reason_new_episode = 'S' and prev_rec = 'X1')
               or (reason_episode_ceased = 'X1' and next_start is distinct from end_date)
               or (end_date is null) <> (reason_episode_ceased is null)""")
        assert broken == 0, la


def test_steady_la_is_roughly_english(db, populations):
    la = "X99000001"
    year = "between date '2025-11-01' and date '2026-10-31'"

    def per_10k(n):
        return n / populations[la] * 10_000

    referrals = per_10k(_count(db, f"select count(*) from {la}_referrals where cast(referral_date as date) {year}"))
    cp_open = per_10k(_count(db, f"select count(distinct child_id) from {la}_cp_plans where end_date is null"))
    cla_open = per_10k(_count(db, f"select count(distinct child_id) from {la}_cla_episodes where end_date is null"))
    assert 400 <= referrals <= 650
    assert 30 <= cp_open <= 70
    assert 50 <= cla_open <= 120
    rereferred = db.execute(f"""
        select avg(case when exists (select 1 from {la}_referrals p where p.child_id = r.child_id
                     and cast(p.referral_date as date) < cast(r.referral_date as date)
                     and cast(p.referral_date as date) >= cast(r.referral_date as date) - interval 12 month)
                   then 1 else 0 end)
        from {la}_referrals r where cast(referral_date as date) {year}""").fetchone()[0]
    assert 0.12 <= rereferred <= 0.30
    contacts_to_referral = db.execute(f"""select avg((outcome = 'REFERRAL')::int) from {la}_contacts
                                          where outcome is not null""").fetchone()[0]
    assert 0.40 <= contacts_to_referral <= 0.50


def test_profiles_differ_where_they_say(db, populations):
    """LA B is the slow child-protection profile, LA C the high care rate one."""
    def icpc_within_15wd(la):  # calendar-day proxy: 15 working days <= 21 calendar days
        return db.execute(f"""select avg((cast(icpc_date as date) - cast(start_date as date) <= 21)::int)
                              from {la}_s47_enquiries where icpc_date is not null""").fetchone()[0]

    def cla_rate(la):
        n = _count(db, f"select count(distinct child_id) from {la}_cla_episodes where end_date is null")
        return n / populations[la] * 10_000

    assert icpc_within_15wd("X99000002") < icpc_within_15wd("X99000001") - 0.2
    assert cla_rate("X99000003") > cla_rate("X99000001") * 1.2


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    kwargs = dict(n_las=2, months=12, extract_date=date(2025, 3, 31))
    generate_inbox(tmp_path / "a", seed=7, **kwargs)
    generate_inbox(tmp_path / "b", seed=7, **kwargs)
    generate_inbox(tmp_path / "c", seed=8, **kwargs)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert len(a) == 2 * 13
    assert a == b
    assert {k for k in a if a[k] != c.get(k)} >= {f"X9900000{i}/{e}.csv" for i in (1, 2) for e in ("contacts", "children")}


def test_history_ends_on_the_extract_date(tmp_path):
    generate_inbox(tmp_path, n_las=1, months=6, extract_date=date(2025, 6, 15))
    con = duckdb.connect()
    last, first = con.execute(f"""select max(cast(contact_datetime as date)), min(cast(contact_datetime as date))
                                  from read_csv('{tmp_path}/X99000001/contacts.csv', all_varchar=true)""").fetchone()
    assert last <= date(2025, 6, 15) and last >= date(2025, 6, 10)
    assert first >= date(2024, 12, 16)


def test_xlsx_has_the_same_rows_as_csv_and_is_deterministic(tmp_path):
    from openpyxl import load_workbook

    kwargs = dict(n_las=1, months=2, seed=3, extract_date=date(2025, 1, 31))
    generate_inbox(tmp_path / "csv", **kwargs)
    generate_inbox(tmp_path / "x1", **kwargs)                 # a csv run first: xlsx must replace it
    generate_inbox(tmp_path / "x1", fmt="xlsx", **kwargs)
    generate_inbox(tmp_path / "x2", fmt="xlsx", **kwargs)
    assert _digests(tmp_path / "x1") == _digests(tmp_path / "x2")
    folder = tmp_path / "x1" / "X99000001"
    assert not list(folder.glob("*.csv"))
    con = duckdb.connect()
    for entity, spec in SPEC.items():
        ws = load_workbook(folder / f"{entity}.xlsx", read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == list(spec["columns"])
        csv_rows = _count(con, f"select count(*) from read_csv('{tmp_path}/csv/X99000001/{entity}.csv', all_varchar=true)")
        assert len(rows) - 1 == csv_rows, entity

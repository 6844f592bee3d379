"""The synthetic inbox generator: deterministic, valid against the extract contract, roughly English.

The contract checker here is deliberately independent of the loader: it reads entities.yml and
code_lists.csv itself and asks DuckDB about the CSV files as written.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

from pipeline.cli import main
from pipeline.generate import DEFAULT_EXTRACT_DATE, POPULATION_FILE, generate_inbox, population_rows
from pipeline.generate.scales import synthetic_las
from tests.generate.measures import NOT_GENERATED_YET

ROOT = Path(__file__).resolve().parents[2]
# the entities the generator writes: the contract's, less care.md's it does not produce yet
SPEC = {name: spec for name, spec in yaml.safe_load((ROOT / "pipeline" / "specs" / "entities.yml").read_text()).items()
        if name not in NOT_GENERATED_YET}
CODE_LISTS = ROOT / "seeds" / "code_lists.csv"
BANK_HOLIDAYS = ROOT / "seeds" / "bank_holidays.csv"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_RE = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
DEMO = ["X99000001", "X99000002", "X99000003"]


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inbox")
    assert generate_inbox(out) == DEMO
    return out


@pytest.fixture(scope="module")
def db(inbox) -> duckdb.DuckDBPyConnection:
    """One table per LA x entity (<la>_<entity>) from the CSVs, all columns as text, empty cell = NULL."""
    con = duckdb.connect()
    con.execute(f"create table codes as select * from read_csv('{CODE_LISTS}', all_varchar=true)")
    con.execute(f"create table holidays as select date::date as d from read_csv('{BANK_HOLIDAYS}')")
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
            future_ok = opts.get("future_allowed")
            if kind == "date":
                bad.append(f"not regexp_full_match({col}, '{DATE_RE}') or try_cast({col} as date) is null"
                           + ("" if future_ok else f" or cast({col} as date) > date '{extract}'"))
            if kind == "datetime":
                bad.append(f"not regexp_full_match({col}, '{DATETIME_RE}') or try_cast({col} as timestamp) is null "
                           f"or cast({col} as date) > date '{extract}'")
            if kind == "flag":
                bad.append(f"{col} not in ('Y', 'N')")
            if kind == "integer":
                bad.append(f"try_cast({col} as bigint) is null or cast({col} as bigint) < {opts.get('min', 0)}")
            if kind == "decimal":
                bad.append(f"not regexp_full_match({col}, '[0-9]+\\.[0-9]{{2}}')")
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
        for order in spec.get("order", []):
            if order["severity"] != "error":
                continue
            earlier, later = order["earlier"], order["later"]
            n = _count(con, f"select count(*) from {table} where cast({later} as timestamp) < cast({earlier} as timestamp)")
            if n:
                problems.append(f"{table}: {n} rows with {later} before {earlier}")
        if spec.get("key"):
            key = spec["key"]
            n = _count(con, f"select count(*) - count(distinct {key}) from {table}")
            if n:
                problems.append(f"{table}: {n} duplicate {key}")
        if entity != "children" and "child_id" in spec["columns"]:  # workforce_posts has no child
            n = _count(con, f"select count(*) from {table} where child_id not in (select child_id from {la}_children)")
            if n:
                problems.append(f"{table}: {n} rows whose child_id is not in children")
            for col, opts in spec["columns"].items():
                if opts and opts["type"] in ("date", "datetime"):
                    # extracts.md: no event before birth, or more than 9 months before an expected birth
                    n = _count(con, f"""select count(*) from {table} e join {la}_children c using (child_id)
                        where cast(e.{col} as date) < least(cast(c.date_of_birth as date),
                              cast(c.expected_date_of_birth as date) - interval 9 month)""")
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


def test_population_sidecar_matches_manifests_and_the_committed_seed(inbox):
    """The inbox's population.csv has the seeds/population.csv shape and the manifests' figures;
    the committed seed holds exactly the demo LAs' rows."""
    with open(inbox / POPULATION_FILE, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["la_code", "la_name", "year", "population_0_17"]
    for la_code, la_name, year, population in rows[1:]:
        manifest = yaml.safe_load((inbox / la_code / "manifest.yml").read_text())
        assert la_name == manifest["la_name"] and manifest["population_0_17"][int(year)] == int(population)
    assert len(rows) == 1 + 3 * 4
    with open(ROOT / "seeds" / "population.csv", newline="") as f:
        seed = list(csv.reader(f))
    assert seed == rows


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


def test_decisions_are_taken_on_working_days(db):
    """Nothing is authorised, conferenced or reviewed on a weekend or a bank holiday."""
    offenders = {}
    for la in DEMO:
        for table, column in [("assessments", "authorisation_date"), ("s47_enquiries", "icpc_date"),
                              ("cp_plans", "start_date"), ("cp_reviews", "review_date"),
                              ("referrals", "referral_date"), ("strategy_discussions", "discussion_date")]:
            n = _count(db, f"""select count(*) from {la}_{table} where {column} is not null and
                (isodow(cast({column} as date)) > 5 or cast({column} as date) in (select d from holidays))""")
            if n:
                offenders[f"{la}_{table}.{column}"] = n
    assert offenders == {}
    # ...while contacts still arrive then, fewer than on working days
    weekend = _count(db, "select count(*) from X99000001_contacts where isodow(cast(contact_datetime as date)) > 5")
    holiday = _count(db, "select count(*) from X99000001_contacts where cast(contact_datetime as date) in (select d from holidays)")
    assert weekend > 0 and holiday > 0


def test_the_quirks_real_extracts_have_are_there(db):
    """Unborn children (expected date of birth only, or born since a pre-birth referral), and the
    occasional ICPC recorded before its S47 start (a warning in the contract, not an error)."""
    for la in DEMO:
        unborn = _count(db, f"select count(*) from {la}_children where date_of_birth is null and expected_date_of_birth is not null")
        born_since = _count(db, f"""select count(*) from {la}_referrals r join {la}_children c using (child_id)
                                    where cast(r.referral_date as date) < cast(c.date_of_birth as date)""")
        early_icpc = _count(db, f"select count(*) from {la}_s47_enquiries where cast(icpc_date as date) < cast(start_date as date)")
        assert unborn > 0 and born_since > 0 and early_icpc > 0, la


def test_practice_rows_keep_the_rules_the_plain_contract_entries_leave_out(db):
    """practice.md section 1.3's row rules (beyond types, codes and required columns), so the
    extract loads whole whatever the loader makes of them."""
    extract = f"date '{DEFAULT_EXTRACT_DATE}'"
    checks = {
        "early_help_episodes": """least(assessment_completed_date, plan_start_date, end_date)::date < start_date::date""",
        "allocations": """end_date::date < start_date::date or (worker_id is null) <> (worker_role is null)
                          or not regexp_full_match(worker_id, 'W[0-9]{6}')""",
        "cin_reviews": """not exists (select 1 from {la}_cin_plans p where p.cin_plan_id = t.cin_plan_id
                          and p.child_id = t.child_id and p.start_date::date <= t.review_date::date)""",
        "strategy_discussions": """initiated_date::date > discussion_date::date
                                   or completed_date::date < least(initiated_date::date, discussion_date::date)""",
        "s47_enquiries": "(outcome is null) <> (end_date is null)",
        "workforce_posts": f"""as_at_date::date > {extract} or as_at_date::date <> last_day(as_at_date::date)
            or not fte::decimal(5, 2) between 0.01 and 1 or (status = 'VACANT') <> (worker_id is null)
            or (status = 'VACANT' and established <> 'Y')
            or not regexp_full_match(worker_id, 'W[0-9]{{6}}')""",
    }
    broken = {}
    for la in DEMO:
        for entity, condition in checks.items():
            n = _count(db, f"select count(*) from {la}_{entity} t where {condition.replace('{la}', la)}")
            if n:
                broken[f"{la}_{entity}"] = n
        n = _count(db, f"select count(*) - count(distinct (as_at_date, post_id)) from {la}_workforce_posts")
        if n:
            broken[f"{la}_workforce_posts duplicates"] = n
        # staff IDs are never child IDs
        n = _count(db, f"select count(*) from {la}_allocations where worker_id in (select child_id from {la}_children)")
        if n:
            broken[f"{la} staff IDs that are child IDs"] = n
    assert broken == {}


def test_every_allocated_worker_is_in_the_workforce_snapshot(db):
    """A worker holding a case on a snapshot's date is in that snapshot, filling a post (permanent
    or agency); a permanent holder who is away is there too, beside the locum covering them."""
    for la in DEMO:
        missing = _count(db, f"""
            select count(*) from (select distinct w.as_at_date, a.worker_id
                                  from {la}_allocations a join (select distinct as_at_date from {la}_workforce_posts) w
                                    on a.start_date::date <= w.as_at_date::date
                                   and (a.end_date is null or a.end_date::date > w.as_at_date::date)
                                  where a.worker_id is not null) a
            where not exists (select 1 from {la}_workforce_posts p where p.as_at_date = a.as_at_date
                              and p.worker_id = a.worker_id and p.status in ('PERMANENT', 'AGENCY'))""")
        assert missing == 0, la
        # locum cover: an AGENCY row over establishment beside the absent holder's PERMANENT row
        covers = db.execute(f"""select count(*), count(*) filter (where exists (
                                    select 1 from {la}_workforce_posts h where h.as_at_date = c.as_at_date
                                    and h.post_id || '-C' = c.post_id and h.status = 'PERMANENT'
                                    and h.established = 'Y'))
                                from {la}_workforce_posts c where c.established = 'N'""").fetchone()
        assert covers[0] > 0 and covers[0] == covers[1], la
        statuses = {s for (s,) in db.execute(f"select distinct status from {la}_workforce_posts").fetchall()}
        assert statuses == {"PERMANENT", "AGENCY", "VACANT"}, la


def test_teams_have_several_workers_and_one_is_small(db):
    """Caseload teams of about 4-8 social workers; one team of 1-2 in each LA, so the
    fewer-than-3 rule of practice.md section 1.4 has cells to withhold."""
    for la in DEMO:
        sizes = [n for (n,) in db.execute(f"""
            select count(*) from {la}_workforce_posts where as_at_date = (select max(as_at_date) from {la}_workforce_posts)
            and role = 'SW' and established = 'Y' group by team order by 1""").fetchall()]
        assert len(sizes) >= 5 and sizes[0] <= 2 and 4 <= sorted(sizes)[len(sizes) // 2] <= 8, (la, sizes)
        roles = {r for (r,) in db.execute(f"select distinct worker_role from {la}_allocations").fetchall()}
        assert roles == {"SW", "ASYE", "OTHER", None}, la


def test_early_help_and_supervisions_look_like_practice(db):
    """Early help comes from every source, step-downs included; supervision is mostly
    CASE_SUPERVISION with some MGMT_OVERSIGHT; CIN plans are reviewed."""
    for la in DEMO:
        sources = dict(db.execute(f"select source, count(*) from {la}_early_help_episodes group by 1").fetchall())
        assert set(sources) == {"STEP_DOWN", "FRONT_DOOR", "PARTNER", "FAMILY", "OTHER", None}, la
        assert sources["PARTNER"] > sources["STEP_DOWN"] > sources[None], la
        types = dict(db.execute(f"select type, count(*) from {la}_supervisions group by 1").fetchall())
        assert 0.02 <= types["MGMT_OVERSIGHT"] / types["CASE_SUPERVISION"] <= 0.2, (la, types)
        outcomes = {o for (o,) in db.execute(f"select distinct outcome from {la}_s47_enquiries").fetchall()}
        assert outcomes == {"ICPC", "CIN", "NFA", "OTHER", "LEGAL", None}, la
        assert _count(db, f"select count(*) from {la}_cin_reviews") > 0, la


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
    contacts_to_referral = db.execute(f"""select avg((outcome = 'REFERRAL')::int) from {la}_contacts
                                          where outcome is not null""").fetchone()[0]
    assert 0.40 <= contacts_to_referral <= 0.50


def test_rereferrals_are_right_from_the_first_month(db):
    """The extract carries the referrals of the 12 months before its history (the burn-in), so the
    re-referral rate does not start at zero."""
    first_months = db.execute("""
        select avg(case when exists (select 1 from X99000001_referrals p where p.child_id = r.child_id
                     and cast(p.referral_date as date) < cast(r.referral_date as date)
                     and cast(p.referral_date as date) >= cast(r.referral_date as date) - interval 12 month)
                   then 1 else 0 end)
        from X99000001_referrals r where cast(referral_date as date) between date '2023-11-01' and date '2024-01-31'
        """).fetchone()[0]
    assert 0.12 <= first_months <= 0.30


def test_profiles_differ_where_they_say(db, populations):
    """LA B is the slow child-protection profile, LA C the high care rate one."""
    def icpc_within_15wd(la):  # calendar-day proxy: 15 working days <= 21 calendar days
        return db.execute(f"""select avg((cast(icpc_date as date) - cast(start_date as date) <= 21)::int)
                              from {la}_s47_enquiries where icpc_date >= start_date""").fetchone()[0]

    def cla_rate(la):
        n = _count(db, f"select count(distinct child_id) from {la}_cla_episodes where end_date is null")
        return n / populations[la] * 10_000

    assert icpc_within_15wd("X99000002") < icpc_within_15wd("X99000001") - 0.2
    assert cla_rate("X99000003") > cla_rate("X99000001") * 1.2


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    kwargs = dict(n_las=2, months=12, extract_date=date(2025, 3, 31))
    generate_inbox(tmp_path / "a", seed=7, **kwargs)
    generate_inbox(tmp_path / "b", seed=7, jobs=2, **kwargs)       # parallel workers: same bytes
    generate_inbox(tmp_path / "c", seed=8, **kwargs)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert len(a) == 2 * (len(SPEC) + 1) + 1                        # + manifests, population.csv
    assert a == b
    assert {k for k in a if a[k] != c.get(k)} >= {f"X9900000{i}/{e}.csv" for i in (1, 2) for e in ("contacts", "children")}


def test_defects_change_only_the_cells_they_list(tmp_path):
    kwargs = dict(n_las=1, months=6, seed=5, extract_date=date(2025, 3, 31))
    generate_inbox(tmp_path / "clean", **kwargs)
    generate_inbox(tmp_path / "bad", defects=0.02, **kwargs)
    with open(tmp_path / "bad" / "defects.csv", newline="") as f:
        listed = {(r["file"], int(r["row"])) for r in csv.DictReader(f)}
    assert len(listed) > 20
    changed = set()
    for path in sorted((tmp_path / "clean" / "X99000001").glob("*.csv")):
        clean = path.read_text().splitlines()
        bad = (tmp_path / "bad" / "X99000001" / path.name).read_text().splitlines()
        assert len(clean) == len(bad), path.name                 # nothing added or lost
        changed |= {(path.name, i + 1) for i, (x, y) in enumerate(zip(clean, bad)) if x != y}
    # every changed row is listed (duplicates and overlaps also list only the row they changed)
    assert changed == listed
    assert not (tmp_path / "clean" / "defects.csv").exists()


def test_history_ends_on_the_extract_date(tmp_path):
    generate_inbox(tmp_path, n_las=1, months=6, extract_date=date(2025, 6, 15))
    con = duckdb.connect()
    last, first = con.execute(f"""select max(cast(contact_datetime as date)), min(cast(contact_datetime as date))
                                  from read_csv('{tmp_path}/X99000001/contacts.csv', all_varchar=true)""").fetchone()
    assert last <= date(2025, 6, 15) and last >= date(2025, 6, 10)
    # the front door goes back a further 12 months, which re-referrals look back on
    assert date(2023, 12, 16) <= first <= date(2023, 12, 20)


def test_xlsx_and_workbook_have_the_same_rows_as_csv_and_are_deterministic(tmp_path):
    from openpyxl import load_workbook

    kwargs = dict(n_las=1, months=2, seed=3, extract_date=date(2025, 1, 31))
    generate_inbox(tmp_path / "csv", **kwargs)
    generate_inbox(tmp_path / "x1", **kwargs)                 # a csv run first: xlsx must replace it
    generate_inbox(tmp_path / "x1", fmt="xlsx", **kwargs)
    generate_inbox(tmp_path / "x2", fmt="xlsx", **kwargs)
    generate_inbox(tmp_path / "wb", fmt="workbook", **kwargs)
    assert _digests(tmp_path / "x1") == _digests(tmp_path / "x2")
    folder = tmp_path / "x1" / "X99000001"
    assert not list(folder.glob("*.csv"))
    workbook = load_workbook(tmp_path / "wb" / "X99000001" / "extract.xlsx", read_only=True)
    assert workbook.sheetnames == list(SPEC)
    con = duckdb.connect()
    for entity, spec in SPEC.items():
        csv_rows = con.execute(f"select * from read_csv('{tmp_path}/csv/X99000001/{entity}.csv', all_varchar=true)").fetchall()
        for sheet in (load_workbook(folder / f"{entity}.xlsx", read_only=True).worksheets[0], workbook[entity]):
            rows = list(sheet.iter_rows(values_only=True))
            assert list(rows[0]) == list(spec["columns"])
            assert len(rows) - 1 == len(csv_rows), entity
        # real date cells carrying the same values as the CSV text
        if entity == "contacts":
            assert [str(v) for v in rows[1]][:3] == [str(v) for v in csv_rows[0][:3]]


def test_scales_have_realistic_populations():
    national = synthetic_las("national")
    sizes = np.array([la.population for la in national])
    assert len(national) == 153 and len({la.code for la in national}) == 153
    assert 11_500_000 <= sizes.sum() <= 12_500_000
    assert sizes.min() <= 15_000 and sizes.max() >= 250_000 and 40_000 <= np.median(sizes) <= 75_000
    assert all(la.name.startswith("Synthetic ") and la.code.startswith("X99") for la in national)
    assert [la.profile.label for la in national[:3]] == ["steady", "slow child protection", "high care rate"]
    assert len({la.profile for la in national[3:]}) == 150           # every other LA has its own character
    region = synthetic_las("region", n_las=6)
    assert 450_000 <= sum(la.population for la in region) <= 550_000
    assert [la.population for la in synthetic_las("la")] == [78_000]


def test_cli_generate_writes_a_scale_and_rejects_bad_options(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--scale", "la", "--months", "1", "--format", "workbook"]) == 0
    assert (tmp_path / "X99000001" / "extract.xlsx").is_file()
    assert "generated 1 synthetic LA" in capsys.readouterr().out
    assert main(["generate", "--out", str(tmp_path), "--defects", "0.9"]) == 2
    assert "defects" in capsys.readouterr().err


def test_a_smaller_run_removes_the_las_a_larger_one_left(tmp_path):
    generate_inbox(tmp_path, n_las=3, months=1)
    (tmp_path / "X99000009").mkdir()                                    # not synthetic: left alone
    generate_inbox(tmp_path, n_las=1, months=1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["X99000001", "X99000009"]


def test_population_rows_cover_the_history(tmp_path):
    la = synthetic_las("demo", 1)[0]
    rows = population_rows([la], 60, date(2026, 10, 31))
    assert [r[2] for r in rows] == [2021, 2022, 2023, 2024, 2025, 2026]


def test_care_records_agree_with_the_episodes(db):
    """care.md's entities fit the periods of care they describe: reviews and health events inside a
    period (not under short breaks), participation PN0 exactly under 4, every adoption (E11/E12) after
    an A3-A6 placement, a placement order (E1) and a decision, OC2 rows at 31 March for children in
    care a year by then, orders of deprivation of liberty while looked after, PF visits only for
    privately fostered children, one missing episode at a time with interviews after the return."""
    in_care = """exists (select 1 from {la}_cla_episodes e where e.child_id = t.child_id
                 and e.start_date::date <= {d} and coalesce(e.end_date::date, date '9999-12-31') >= {d}
                 and e.legal_status not in ('V3', 'V4'))"""
    checks = {
        "cla_reviews": "not " + in_care.replace("{d}", "t.review_date::date"),
        "cla_health": "not " + in_care.replace("{d}", "t.event_date::date"),
        "deprivation_of_liberty": "not " + in_care.replace("{d}", "t.start_date::date"),
        "cla_oc2": "strftime(year_ending::date, '%m-%d') <> '03-31' or not "
                   + in_care.replace("{d}", "t.year_ending::date") + " or not "
                   + in_care.replace("{d}", "(t.year_ending::date - interval 12 month)::date"),
        "children": """exists (select 1 from {la}_cla_reviews r where r.child_id = t.child_id and
                       (r.participation = 'PN0') <> (date_diff('year', t.date_of_birth::date, r.review_date::date)
                        - (strftime(t.date_of_birth::date, '%m%d') > strftime(r.review_date::date, '%m%d'))::int < 4))""",
        "cla_episodes": """reason_episode_ceased in ('E11', 'E12') and not (
            exists (select 1 from {la}_cla_episodes a where a.child_id = t.child_id
                    and a.placement_type in ('A3', 'A4', 'A5', 'A6') and a.start_date::date < t.end_date::date)
            and exists (select 1 from {la}_cla_episodes a where a.child_id = t.child_id and a.legal_status = 'E1'
                        and a.start_date::date < t.end_date::date)
            and exists (select 1 from {la}_adoption a where a.child_id = t.child_id
                        and a.decision_date::date <= t.end_date::date and a.matched_date::date <= t.end_date::date))""",
        "visits": """visit_type = 'PF' and not exists (select 1 from {la}_private_fostering p
                     where p.child_id = t.child_id and p.notification_date::date <= t.visit_date::date)""",
        "missing_episodes": """rhi_date::date < end_date::date or rhi_offered_date::date < end_date::date
            or exists (select 1 from {la}_missing_episodes o where o.child_id = t.child_id and o.missing_id <> t.missing_id
                       and o.start_date::date between t.start_date::date and coalesce(t.end_date::date, date '9999-12-31'))""",
        "legal_proceedings": """(final_order is null) <> (final_order_date is null)
            or (plo_outcome is not null and plo_end_date is null)""",
    }
    broken = {}
    for la in DEMO:
        for entity, condition in checks.items():
            n = _count(db, f"select count(*) from {la}_{entity} t where {condition.replace('{la}', la)}")
            if n:
                broken[f"{la}_{entity}"] = n
    assert broken == {}


def test_care_records_have_the_variety_real_ones_have(db):
    """Both kinds of missing episode, repeat missing children, interviews held and not; decisions to
    adopt matched and reversed, by foster carers and others; pre-proceedings stepped down and issued,
    care and placement orders among the final orders; short breaks (V4) beside other care."""
    for la in DEMO:
        def values(sql):
            return {v for (v,) in db.execute(sql.replace("{la}", la)).fetchall()}

        assert values("select missing_type from {la}_missing_episodes") == {"M", "A"}, la
        assert _count(db, f"select count(*) from (select child_id from {la}_missing_episodes group by 1 having count(*) > 2)") > 0
        assert values("select rhi_date is null from {la}_missing_episodes") == {True, False}, la
        assert values("select adopted_by_foster_carer from {la}_adoption") >= {"Y", "N"}, la
        assert _count(db, f"select count(*) from {la}_adoption where decision_reversed_date is not null") > 0, la
        assert values("select plo_outcome from {la}_legal_proceedings") >= {"ISSUED", "STEPPED_DOWN"}, la
        assert values("select final_order from {la}_legal_proceedings") >= {"CO", "PO", "SGO"}, la
        assert values("select legal_status from {la}_cla_episodes") >= {"V4", "E1", "C2"}, la
        assert values("select event_type from {la}_cla_health") == {"IHA", "RHA", "DENTAL"}, la
        assert values("select participation from {la}_cla_reviews") >= {"PN0", "PN1", "PN7"}, la


def test_an_la_with_no_private_fostering_arrangement_gets_no_pf_visits():
    """A small LA over a few months may have no arrangement at all (`pipeline generate --las 300 --months 2`
    stopped on one): it gets no PF visit, not an error."""
    from types import SimpleNamespace

    from pipeline.generate import private_fostering

    sim = SimpleNamespace(care_rng=np.random.default_rng(1), extract=np.datetime64("2026-10-31"),
                          window_start=np.datetime64("2026-09-01"))
    none = {"child": np.array([], dtype=object), "notification_date": np.array([], "datetime64[D]"),
            "start_date": np.array([], "datetime64[D]"), "end_date": np.array([], "datetime64[D]")}
    got = private_fostering.visits(sim, none)
    assert {column: len(values) for column, values in got.items()} == dict.fromkeys(
        ("child", "visit_date", "visit_type", "seen_alone"), 0)

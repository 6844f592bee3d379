"""The child rules are stated once, in entities.yml (children: one_of, birth_floor): the loader's
SQL, the GX suites (their frames) and the generator's defects all follow a change made there.

Hand-worked on an unborn child U1, expected 2024-06-01, and a referral of U1 on 2024-01-15:
- as shipped (events from 9 months before the due date): the floor is 2023-09-01, the referral loads;
- with months_before 3: the floor is 2024-03-01, the referral is before it: before_birth.
Child C9 has neither date: required on date_of_birth, its message ending in the one_of's `why`.
"""

import json

import duckdb
import numpy as np

from pipeline.defs.resources import RefreshSettings
from pipeline.generate.defects import _Planter
from pipeline.quality.gate import check_entity
from pipeline.quality.inbox_check import check_inbox
from pipeline.quality.suites import write_suites
from pipeline.specs import entities
from tests.inbox_builder import write_la
from tests.specs.conftest import edit

TABLES = {
    "children": [{"child_id": "U1", "sex": "F", "expected_date_of_birth": "2024-06-01"},
                 {"child_id": "C9", "sex": "M"}]
                + [{"child_id": f"C{i}", "sex": "F", "date_of_birth": "2012-01-01"} for i in range(1, 9)],
    "referrals": [{"referral_id": "R1", "child_id": "U1", "referral_date": "2024-01-15", "referral_source": "1A",
                   "referral_nfa": "N"}]
                 + [{"referral_id": f"R{i}", "child_id": f"C{i}", "referral_date": "2024-02-10",
                     "referral_source": "1A", "referral_nfa": "N"} for i in range(2, 9)],
}


def _validate(tmp_path, label: str):
    """The inbox loaded and gated as `pipeline validate` does, with suites written from the spec now in force."""
    suites = tmp_path / f"expectations_{label}"
    write_suites(suites)
    inbox = tmp_path / f"inbox_{label}"
    write_la(inbox, "X1", TABLES)
    con = duckdb.connect()
    settings = RefreshSettings(inbox_dir=str(inbox), expectations_dir=str(suites))
    check_inbox(con, inbox, settings, run_id=label)
    return con, settings


def _quarantined(con) -> list[tuple]:
    return con.execute("select entity, row_number, column_name, raw_value, rule, message from audit.quarantine "
                       "where rule in ('before_birth', 'required') order by entity, row_number").fetchall()


def _slipped_past(con, settings) -> list[int]:
    """R1 put straight into raw.referrals (as a loader bug would): the source rows the gate's before_birth finds."""
    con.execute("""insert into raw.referrals (referral_id, child_id, referral_date, referral_source, referral_nfa,
                   la_code, _source_row) select 'R1', 'U1', date '2024-01-15', '1A', 'N', 'X1', 900
                   where not exists (select 1 from raw.referrals where referral_id = 'R1')""")
    check_entity(con, entities()["referrals"], settings, "slipped")
    found = con.execute("""select details from audit.data_quality
                           where entity = 'referrals' and check_name = 'before_birth:referral_date'""").fetchall()
    return [e["_source_row"] for (d,) in found for e in json.loads(d).get("examples", [])]


def _generator_floor() -> np.datetime64:
    kids = {"child_id": np.array(["U1"], object), "date_of_birth": np.array(["NaT"], "datetime64[D]"),
            "expected_date_of_birth": np.array(["2024-06-01"], "datetime64[D]")}
    return _Planter({"children": kids}, np.random.default_rng(0), np.datetime64("2024-03-31"))._birth_floor(0)


def test_the_child_rules_are_stated_once_and_loader_suites_and_generator_follow(spec_dir, tmp_path):
    con, settings = _validate(tmp_path, "shipped")
    assert _quarantined(con) == [
        ("children", 3, "date_of_birth", None, "required",
         "X1/children.csv row 3: date_of_birth is required unless expected_date_of_birth is given (unborn child)")]
    assert _slipped_past(con, settings) == []
    assert _generator_floor() == np.datetime64("2023-09-01")

    edit(spec_dir / "entities.yml", "months_before: 9", "months_before: 3")
    edit(spec_dir / "entities.yml", "why: unborn child", "why: not yet born")
    con, settings = _validate(tmp_path, "edited")
    assert _quarantined(con) == [
        ("children", 3, "date_of_birth", None, "required",
         "X1/children.csv row 3: date_of_birth is required unless expected_date_of_birth is given (not yet born)"),
        ("referrals", 2, "referral_date", "2024-01-15", "before_birth",
         "X1/referrals.csv row 2: referral_date 2024-01-15 is before the child's date of birth expected 2024-06-01")]
    assert _slipped_past(con, settings) == [900]
    assert _generator_floor() == np.datetime64("2024-03-01")

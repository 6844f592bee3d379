"""The public statutory-format samples (tests/fixtures/reference-data, see its README) and a small loader
that lands a folder built from them, as the raw assets do, into an in-memory build warehouse."""

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.load.inbox import discover, entity_sources
from pipeline.load.land import load_manifests
from pipeline.load.tables import ensure_tables
from pipeline.specs import entities
from tests.load.helpers import land_entity

# committed with the tests (small, MIT-licensed, synthetic): a test never depends on anything outside the clone
REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference-data"
ANNEX_A = REFERENCE / "annex-a" / "Annex_A_2024_Jan.xlsx"
ANNEX_A_OLD = REFERENCE / "annex-a" / "Annex_A_sample.xlsx"
SSDA903 = REFERENCE / "ssda903"
CIN = REFERENCE / "cin-census" / "fake_CIN_data.xml"
CIN_2024 = REFERENCE / "cin-census" / "CIN_Census_2024.xml"


def require(*paths: Path) -> None:
    """Fail, never skip: a missing fixture is a broken checkout, not an optional test."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        pytest.fail(f"statutory sample fixtures missing from the checkout: {missing}")


def la_folder(inbox: Path, la_code: str, files, extract_date: str, **manifest) -> Path:
    """inbox/<la_code>/ with the given sample files copied in and a manifest."""
    folder = inbox / la_code
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    (folder / "manifest.yml").write_text(yaml.safe_dump(
        {"la_code": la_code, "la_name": f"Sample {la_code}", "extract_date": extract_date, **manifest}))
    return folder


def land_all(inbox: Path):
    """Land every LA's every entity (children first); returns the connection and {(la, entity): LandResult}."""
    con = duckdb.connect()
    ensure_tables(con)
    las = discover(inbox)
    load_manifests(con, las, "run-1")
    results = {}
    for la in las:
        if not la.ok:
            continue
        sources = entity_sources(la)
        for name, entity in entities().items():
            results[la.la_code, name] = land_entity(con, la, entity, sources.get(name), "run-1")
    return con, results


def quarantine(con, la_code: str, entity: str) -> list[tuple]:
    return con.execute(
        "select row_number, column_name, raw_value, rule, message from audit.quarantine "
        "where la_code = $la and entity = $e order by row_number, rule", {"la": la_code, "e": entity}).fetchall()


# The 903 files the public sample lacks, in the DfE's column layout (data-to-insight/csc-validator-be-903
# lac_validator/config.py: OC2, AD1, PlacedAdoption; DoLo from care.md B.9), for children of the sample's
# header.csv. Values are ours: one OC2 SDQ score out of range (41), one AD1 decision also in
# placed_for_adoption (one record), one reversed decision only in placed_for_adoption, two DoLo orders.
SSDA903_CARE = {
    "oc2_2018.csv": """CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED
10301,19/01/2003,14,,0,1,1,1,,0,,
105151,31/07/2003,,SDQ1,0,1,0,0,,1,0,1
105231,23/12/2013,41,,0,0,1,1,1,0,,
104579,02/06/2013,22,,0,1,1,0,0,0,,
""",
    "ad1.csv": """CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR
952274,14/01/2010,02/02/2017,10/05/2017,1,2,MF,L0
371347,29/03/2011,15/12/2016,20/02/2017,0,1,F,L4
""",
    "placed_for_adoption.csv": """CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED
952274,14/01/2010,02/02/2017,,
101447,27/04/2006,01/06/2017,01/12/2017,RD1
""",
    "dolo.csv": """CHILD,DOB,DOLO_START,DOLO_END
104579,02/06/2013,01/09/2017,28/02/2018
104579,02/06/2013,01/03/2018,
""",
}


def write_ssda903_care(folder: Path, names=tuple(SSDA903_CARE)) -> list[Path]:
    """SSDA903_CARE's files (those named) written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(SSDA903_CARE[name])
    return [folder / name for name in names]

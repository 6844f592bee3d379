"""The published warehouse opens in the DuckDB 1.4 clients dashboard tools embed (issue 13), and so does the
restricted audit file beside it: read them with duckdb 1.4 installed into a throwaway virtual environment."""

import json
import subprocess
import venv

import duckdb
import pytest

from pipeline.paths import audit_path_for

READ = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "rows": con.execute("select count(*) from published.indicator_values").fetchone()[0],
    "las": [r[0] for r in con.execute("select distinct la_code from published.indicator_values order by 1").fetchall()],
    "restatements": con.execute("select count(*) from published.indicator_restatements").fetchone()[0],
    "quarantine_columns": len(duckdb.connect(sys.argv[2], read_only=True).execute("describe audit.quarantine")
                              .fetchall()),
}))
"""


@pytest.fixture(scope="module")
def duckdb_1_4(tmp_path_factory) -> str:
    env = tmp_path_factory.mktemp("duckdb_1_4_venv")
    venv.create(env, with_pip=True)
    pip = subprocess.run([env / "bin" / "pip", "install", "--quiet", "duckdb>=1.4,<1.5"], capture_output=True, text=True)
    if pip.returncode != 0:
        pytest.fail(f"could not install duckdb 1.4 into a test venv: {pip.stderr[-2000:]}")
    return str(env / "bin" / "python")


def test_duckdb_1_4_reads_the_published_file(first_publication, duckdb_1_4):
    _, warehouse = first_publication
    out = subprocess.run([duckdb_1_4, "-c", READ, str(warehouse), str(audit_path_for(warehouse))],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["version"].startswith("1.4.")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute("select count(*) from published.indicator_values").fetchone()[0]
        restatements = con.execute("select count(*) from published.indicator_restatements").fetchone()[0]
    assert seen["rows"] == expected > 0
    assert seen["restatements"] == restatements
    assert len(seen["las"]) == 2
    assert seen["quarantine_columns"] == 10

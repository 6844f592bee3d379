"""docs/ is generated from the sources of truth (python -m pipeline.docs) and committed: it must equal
what they generate now, and dbt's own docs build from the same yml descriptions."""

import json
import os
import shutil
import subprocess
import sys


from pipeline.docs import DOCS_DIR, PAGES, published_tables, render, stale
from pipeline.docs.__main__ import main
from pipeline.paths import DBT_PROJECT_DIR, PROJECT_DIR


def test_committed_docs_equal_the_generated_ones():
    assert stale() == [], "run `python -m pipeline.docs` and commit docs/"


def test_check_mode_reports_a_stale_page(tmp_path):
    """`python -m pipeline.docs --check` run in a copy of the project (its docs/ resolve from the package's
    own place, so the copy's pipeline/ is a real copy and the rest are links): exit 0 while current, exit 1
    naming the page once one is edited by hand."""
    copy = tmp_path / "project"
    shutil.copytree(PROJECT_DIR / "pipeline", copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(DOCS_DIR, copy / "docs")
    for name in ("seeds", "dbt_project"):
        (copy / name).symlink_to(PROJECT_DIR / name)

    def check():
        env = dict(os.environ, PYTHONPATH=str(copy))
        return subprocess.run([sys.executable, "-m", "pipeline.docs", "--check"], cwd=copy, env=env,
                              capture_output=True, text=True, timeout=120)

    current = check()
    assert (current.returncode, current.stdout) == (0, ""), current.stdout + current.stderr
    (copy / "docs" / "indicators.md").write_text("edited by hand\n")
    edited = check()
    assert edited.returncode == 1, edited.stdout + edited.stderr
    assert edited.stdout.splitlines() == ["docs/indicators.md is stale: run `python -m pipeline.docs`"]
    assert stale(copy / "docs") == ["indicators.md"] and main(["--bogus"]) == 2


def test_every_catalogue_indicator_and_extract_entity_is_documented():
    text = (DOCS_DIR / "indicators.md").read_text()
    import csv

    with open(PROJECT_DIR / "seeds" / "indicator_catalogue.csv", newline="") as f:
        ids = [r["id"] for r in csv.DictReader(f)]
    assert len(ids) >= 40 and all(f"### {i}: " in text for i in ids)
    assert text.count("| numerator | ") == len(ids) and text.count("| DfE / ChAT reference | ") == len(ids)
    extracts = (DOCS_DIR / "extracts.md").read_text()
    from pipeline.specs import entities

    assert all(f"### {name}" in extracts for name in entities())


def test_readme_and_docs_link_only_inside_the_repository():
    import re

    for path in [PROJECT_DIR / "README.md", *(DOCS_DIR / p for p in PAGES), DOCS_DIR / "statutory_formats.md"]:
        for target in re.findall(r"\]\(([^)#]+)", path.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            assert (path.parent / target).resolve().is_relative_to(PROJECT_DIR), (path.name, target)
            assert (path.parent / target).exists(), (path.name, target)


def test_dbt_docs_generate_builds_from_the_same_descriptions(tmp_path):
    env = dict(os.environ, PIPELINE_BUILD_DB=str(tmp_path / "docs.duckdb"), DBT_TARGET_PATH=str(tmp_path / "target"),
               DBT_LOG_PATH=str(tmp_path))
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    done = subprocess.run([dbt, "docs", "generate", "--empty-catalog", "--profiles-dir", "."], cwd=DBT_PROJECT_DIR,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "target" / "index.html").exists()
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    documented = {t["name"]: t for t in published_tables()}
    scorecard = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == "scorecard")
    assert scorecard["description"].split()[:3] == documented["published.scorecard"]["description"].split()[:3]
    for column in documented["published.scorecard"]["columns"]:
        assert " ".join(scorecard["columns"][column["name"]]["description"].split()) == column["notes"]
    children = next(s for s in manifest["sources"].values() if s["name"] == "children")
    assert children["columns"]["child_id"]["description"] == "the case system's person ID, unique in the file"

"""The environment is read in one place (pipeline/settings.py): the README lists the same variables, the
package reads no other project variable but the internal ones, the dbt profile reads only those, and a
bad value fails naming its variable."""

import re
from pathlib import Path

import pytest

from pipeline.paths import DBT_PROJECT_DIR, PROJECT_DIR
from pipeline.settings import INTERNAL, VARIABLES, Settings, SettingsError, settings

# os.environ.get("X"), os.environ["X"], os.getenv("X"), "X" in os.environ
READ = re.compile(r"""(?:environ(?:\.get)?\(?\[?|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']|["']([A-Z][A-Z0-9_]+)["']\s+in\s+os\.environ""")
# env_var('X') or env_var('X', 'fallback') in the dbt project
ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Z0-9_]+)['"](?:\s*,\s*['"]([^'"]*)['"])?\s*\)""")


def readme_variables() -> list[str]:
    text = (PROJECT_DIR / "README.md").read_text()
    section = text.split("## Settings (environment variables)\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, flags=re.M)


def package_reads(root: Path = PROJECT_DIR / "pipeline") -> dict[str, set[str]]:
    """Each project variable the package's source reads by name, with the modules reading it."""
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for match in READ.finditer(path.read_text()):
            name = match.group(1) or match.group(2)
            if name.startswith("PIPELINE_") or name in VARIABLES:
                found.setdefault(name, set()).add(str(path.relative_to(root)))
    return found


def dbt_project_reads() -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for path in [DBT_PROJECT_DIR / "profiles.yml", DBT_PROJECT_DIR / "dbt_project.yml",
                 *(DBT_PROJECT_DIR / "macros").rglob("*.sql"), *(DBT_PROJECT_DIR / "models").rglob("*.sql")]:
        for name, fallback in ENV_VAR.findall(path.read_text()):
            found.setdefault(name, set()).add(fallback or None)
    return found


def test_the_readme_lists_every_setting_once_and_nothing_else():
    listed = readme_variables()
    assert len(listed) == len(set(listed)), f"listed twice: {sorted({v for v in listed if listed.count(v) > 1})}"
    assert sorted(listed) == sorted(VARIABLES)


def test_the_package_reads_no_setting_outside_the_settings_module_and_no_undeclared_variable():
    reads = package_reads()
    assert {name: mods for name, mods in reads.items() if name in VARIABLES} == {}, "read outside pipeline/settings.py"
    assert set(reads) - set(INTERNAL) == set(), "neither a setting nor declared internal (pipeline/settings.py)"
    assert {"PIPELINE_BUILD_DIR", "PIPELINE_REFRESH_PID"} <= set(reads)  # the search finds reads


def test_the_search_would_see_a_setting_read_elsewhere(tmp_path):
    (tmp_path / "rogue.py").write_text('import os\nurl = os.environ.get("PIPELINE_POSTGRES_URL", "")\n'
                                       'salt = os.getenv("PIPELINE_PSEUDONYM_SALT")\nhome = os.environ["DAGSTER_HOME"]\n')
    assert set(package_reads(tmp_path)) == {"PIPELINE_POSTGRES_URL", "PIPELINE_PSEUDONYM_SALT", "DAGSTER_HOME"}


def test_the_dbt_project_reads_only_settings_and_internal_variables_and_states_no_default_twice():
    reads = dbt_project_reads()
    assert set(reads) - set(VARIABLES) - set(INTERNAL) - {"DBT_PROJECT_DIR"} == set()  # dagster-dbt sets that one
    # the refresh sets every Spark setting for dbt: the profile has no fallback to drift from the settings
    assert reads["PIPELINE_SPARK_CORES"] == reads["PIPELINE_SPARK_DRIVER_MEMORY"] == {None}
    # the one fallback of a setting (dbt run by hand, and the prebuilt parse's fingerprint) is the setting's default
    assert reads["PIPELINE_DUCKDB_MEMORY_LIMIT"] == {Settings.model_fields["duckdb_memory_limit"].default} == {"2GB"}


def test_settings_come_from_the_environment_and_an_empty_variable_counts_as_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINE_SPARK_CORES", "4")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("PIPELINE_POSTGRES_URL", "")
    got = settings()
    assert (got.spark_cores, got.dagster_home, got.postgres_url) == (4, tmp_path, None)
    monkeypatch.setenv("DAGSTER_HOME", "")
    assert settings().dagster_home is None


def test_a_bad_value_fails_naming_its_variable_and_value_and_secrets_never_show(monkeypatch):
    monkeypatch.setenv("PIPELINE_SPARK_SHUFFLE_PARTITIONS", "two")
    with pytest.raises(SettingsError, match=r"PIPELINE_SPARK_SHUFFLE_PARTITIONS='two': Input should be a valid integer"):
        settings()
    monkeypatch.delenv("PIPELINE_SPARK_SHUFFLE_PARTITIONS")
    monkeypatch.setenv("PIPELINE_PSEUDONYM_SALT", "kept-out-of-every-log")
    monkeypatch.setenv("PIPELINE_POSTGRES_URL", "postgresql://owner:hunter2@db/warehouse")
    shown = f"{settings()!r} {settings()}"
    assert "kept-out-of-every-log" not in shown and "hunter2" not in shown

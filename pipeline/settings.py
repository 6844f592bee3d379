"""The settings a user gives through the environment, read here and nowhere else (README "Settings
(environment variables)" lists the same; tests/test_settings.py checks both, and that the package reads
no other project variable but the internal ones below).
"""

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipeline.paths import DEFAULT_INBOX, DEFAULT_WAREHOUSE

PREFIX = "PIPELINE_"

# Internal variables: one process of a refresh sets them for another it starts; not settings, so read
# where they are used. Other programs' variables are read where those programs would: JAVA_HOME
# (spark_handoff.java_available), XDG_CACHE_HOME (pipeline/report/html.py), PYTHONPATH (pipeline/paths.py).
INTERNAL = {
    "PIPELINE_BUILD_DB": "the build warehouse's file name, for the profile (pipeline/runtime/dbt_build.py)",
    "PIPELINE_BUILD_DIR": "its folder, where pipeline-dbt starts dbt (pipeline/runtime/dbt_child.py)",
    "PIPELINE_REFRESH_PID": "the refresh's process, which dbt dies with (pipeline/runtime/dbt_child.py)",
    "PIPELINE_DBT_WARM": "the socket of the warm dbt process (pipeline/runtime/dbt_child.py)",
    "PIPELINE_SPARK_DIR": "Spark's folder, for the spark profile (pipeline/runtime/spark_handoff.py)",
    "PIPELINE_SPARK_RAW_DIR": "the raw tables as Parquet, for macros/prepare_session.sql (spark_handoff.py)",
}


class Settings(BaseSettings):
    """PIPELINE_<FIELD> (DAGSTER_HOME for dagster_home), each optional."""

    # a variable set to the empty string counts as unset, as it did before this model
    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore", env_ignore_empty=True)

    # the inbox and warehouse of the Dagster code location (make ui, the daemon); the CLI takes options
    inbox: Path = DEFAULT_INBOX
    warehouse: Path = DEFAULT_WAREHOUSE
    # Postgres to publish into as well (pipeline/postgres.py); unset: DuckDB only
    postgres_url: SecretStr | None = None
    # DuckDB's memory limit in the build warehouse (loads, gate, dbt), past which it spills to disk.
    # dbt_project/profiles.yml repeats it as its fallback for dbt run by hand: see the comment there
    duckdb_memory_limit: str = "2GB"
    # the salt of the child pseudonyms (pipeline/runtime/dbt_salt_plugin.py); unset: the demo salt
    pseudonym_salt: SecretStr | None = None
    # the local Spark session of `--engine spark` (dbt_project/profiles.yml, target spark)
    spark_cores: int = Field(2, ge=1)
    spark_shuffle_partitions: int = Field(2, ge=1)
    spark_driver_memory: str = "2g"
    # who is told what (pipeline/notices/, deploy/notices.example.yml); unset: nobody is notified
    notices: Path | None = None
    # the SMTP login's password for the notices' email (the YAML names the user, never the password)
    smtp_password: SecretStr | None = None
    # the Dagster instance the CLI records its runs in (Dagster's own variable); unset: an ephemeral one
    dagster_home: Path | None = Field(None, validation_alias="DAGSTER_HOME")


SECRETS = {"postgres_url", "pseudonym_salt", "smtp_password"}


def variable(field: str) -> str:
    """The environment variable of a Settings field."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else PREFIX + field.upper()


VARIABLES = [variable(name) for name in Settings.model_fields]


class SettingsError(ValueError):
    """An environment variable with a value its setting does not accept."""


def settings() -> Settings:
    """The settings as the environment now gives them; SettingsError names the variable, the value
    (never a secret's) and what it must be."""
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for e in error.errors():
            field = str(e["loc"][0])
            name = variable(field) if field in Settings.model_fields else field
            shown = "(secret)" if field in SECRETS else repr(e.get("input"))
            problems.append(f"environment variable {name}={shown}: {e['msg']}")
        raise SettingsError("; ".join(problems)) from None

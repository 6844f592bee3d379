"""The keyed hash that replaces a person's identifier, in DuckDB SQL. Child IDs are hashed in dbt
staging (dbt_project/macros/pseudonymise.sql); a staff ID (practice.md 1.4) is hashed the same way in
its own domain (input prefixed `worker:`), in staging and wherever the loader keeps a supplied value
(audit.quarantine, the quality gate's frames), so one source ID has one pseudonym everywhere.

The key (salt) comes from PIPELINE_PSEUDONYM_SALT, read by pipeline/settings.py; the documented default
is for the synthetic demo only. It reaches DuckDB as a connection variable, set from a parameter: it is never part of SQL text.
"""

from pipeline.settings import settings

DEMO_SALT = "demo-salt-synthetic-data-only"


def pseudonym_salt() -> str:
    salt = settings().pseudonym_salt
    return (salt.get_secret_value() if salt else "") or DEMO_SALT


def set_salt(con, salt: str | None = None) -> None:
    """Make pseudonym_sql usable on this DuckDB connection (variables live per connection); `salt`:
    one already read (pseudonym_salt())."""
    con.execute("SET VARIABLE pseudonym_salt = $salt", {"salt": salt or pseudonym_salt()})


def pseudonym_sql(expr: str, domain: str | None = None) -> str:
    """SQL for the pseudonym of `expr` (NULL stays NULL): sha256(salt || 'domain:' || value), as the
    dbt macro pseudonymise(\"'domain:' || value\")."""
    prefixed = f"'{domain}:' || {expr}" if domain else expr
    return f"sha256(getvariable('pseudonym_salt') || {prefixed})"

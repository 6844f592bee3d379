"""dbt-duckdb plugin that sets the pseudonymisation salt on every dbt connection.

The salt comes from PIPELINE_PSEUDONYM_SALT (pipeline/settings.py); the documented default is for the
synthetic demo only.
"""

from dbt.adapters.duckdb.plugins import BasePlugin

from pipeline.settings import settings

DEMO_SALT = "demo-salt-synthetic-data-only"


def pseudonym_salt() -> str:
    salt = settings().pseudonym_salt
    return (salt.get_secret_value() if salt else "") or DEMO_SALT


class Plugin(BasePlugin):
    def initialize(self, plugin_config) -> None:
        self._salt = pseudonym_salt()  # once per dbt process, not per cursor

    # DuckDB variables live per connection and dbt-duckdb works on cursors (copies), so set it on each.
    def configure_cursor(self, cursor):
        cursor.execute("SET VARIABLE pseudonym_salt = $salt", {"salt": self._salt})
        return cursor

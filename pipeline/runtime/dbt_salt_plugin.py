"""dbt-duckdb plugin that sets the pseudonymisation salt on every dbt connection.

The salt and how it is set: pipeline/pseudonyms.py (PIPELINE_PSEUDONYM_SALT, read by pipeline/settings.py;
the documented default is for the synthetic demo only).
"""

from dbt.adapters.duckdb.plugins import BasePlugin

from pipeline.pseudonyms import DEMO_SALT, pseudonym_salt, set_salt

__all__ = ["DEMO_SALT", "Plugin", "pseudonym_salt"]


class Plugin(BasePlugin):
    def initialize(self, plugin_config) -> None:
        self._salt = pseudonym_salt()  # once per dbt process, not per cursor

    # DuckDB variables live per connection and dbt-duckdb works on cursors (copies), so set it on each.
    def configure_cursor(self, cursor):
        set_salt(cursor, self._salt)
        return cursor

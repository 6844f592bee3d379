"""dbt-duckdb plugin that sets the pseudonymisation salt on every dbt connection.

The salt and how it is set: pipeline/pseudonyms.py (PIPELINE_PSEUDONYM_SALT, or the demo default).
"""

from dbt.adapters.duckdb.plugins import BasePlugin

from pipeline.pseudonyms import set_salt


class Plugin(BasePlugin):
    # DuckDB variables live per connection and dbt-duckdb works on cursors (copies), so set it on each.
    def configure_cursor(self, cursor):
        set_salt(cursor)
        return cursor

"""dbt-duckdb plugin that sets the pseudonymisation salt on every dbt connection.

The salt comes from PIPELINE_PSEUDONYM_SALT; the documented default is for the synthetic demo only.
"""

import os

from dbt.adapters.duckdb.plugins import BasePlugin

DEMO_SALT = "demo-salt-synthetic-data-only"


def pseudonym_salt() -> str:
    return os.environ.get("PIPELINE_PSEUDONYM_SALT") or DEMO_SALT


class Plugin(BasePlugin):
    # DuckDB variables live per connection and dbt-duckdb works on cursors (copies), so set it on each.
    def configure_cursor(self, cursor):
        cursor.execute("SET VARIABLE pseudonym_salt = $salt", {"salt": pseudonym_salt()})
        return cursor

"""What the tests read back from Postgres beside the published tables."""

import adbc_driver_postgresql.dbapi as pg

from pipeline.postgres import ACCESS, Grant


def stored_grants(url: str) -> list[Grant]:
    """The grants pipeline_access.grants holds, one per role (by role name), as the owner reads them."""
    with pg.connect(url) as con, con.cursor() as cur:
        cur.execute(f"""select role_name, bool_or(regional),
                               coalesce(string_agg(la_code, ',' order by la_code), '')
                        from {ACCESS}.grants group by role_name order by role_name""")
        return [Grant(role, tuple(x for x in las.split(",") if x), regional) for role, regional, las in cur.fetchall()]

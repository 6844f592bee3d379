"""The Postgres copy of the publication for dashboards (pipeline/postgres.py), after each DuckDB publish.
Without a Postgres URL (PIPELINE_POSTGRES_URL or `refresh --postgres`) it does nothing."""

import dagster as dg

from pipeline.defs.assets.publish import published_warehouse
from pipeline.progress import progress
from pipeline.defs.resources import RefreshSettings


@dg.asset(
    group_name="publish",
    kinds={"postgres"},
    deps=[published_warehouse],
    description="Schema `published` in Postgres with per-LA row-level security, swapped in one transaction.",
)
def postgres_published(settings: RefreshSettings, postgres_url: dg.ResourceParam[str]) -> dg.MaterializeResult:
    from pipeline.postgres import PostgresError, push

    if not postgres_url:
        return dg.MaterializeResult(metadata={"pushed": False})
    try:
        tables = push(settings.warehouse, postgres_url)
    except PostgresError as exc:
        # the DuckDB publication before it stands; the run fails so the operator sees this
        raise dg.Failure(description=f"{exc} (the DuckDB warehouse was published)") from None
    progress("postgres", f"published {len(tables)} tables")
    return dg.MaterializeResult(metadata={"pushed": True, "tables": tables})

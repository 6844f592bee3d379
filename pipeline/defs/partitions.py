"""Each LA is a Dagster partition of the load and publish assets, so the UI shows per LA when it was
last loaded, published or held back (docs/warehouse.md, "Incremental refresh").

The partitions are dynamic (the inbox decides which LAs exist) and the assets backfill in a single
run: one run loads, builds and publishes every LA of its partition range together (one dbt build,
one publish). A range is contiguous in Dagster's order of the partitions (the order they were
added), so LAs that are not neighbours there take one run per stretch; the run queue serialises
them (dagster.yaml). pipeline/state.py decides which LAs are due; this module turns them into runs.
"""

import warnings

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

# Dagster 1.13 marks backfill_policy beta and warns at every definitions load (each CLI run)
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)

LA_PARTITIONS = dg.DynamicPartitionsDefinition(name="la")
# every LA of a run in one step: one build warehouse, one dbt build, one publish
SINGLE_RUN = dg.BackfillPolicy.single_run()


def register_las(instance: dg.DagsterInstance, la_codes) -> list[str]:
    """Add the LAs that are not partitions yet (in code order); every partition key, in Dagster's order."""
    known = list(instance.get_dynamic_partitions(LA_PARTITIONS.name))
    new = sorted(set(la_codes) - set(known))
    if new:
        instance.add_dynamic_partitions(LA_PARTITIONS.name, new)
    return known + new


def la_ranges(order: list[str], la_codes) -> list[tuple[str, str]]:
    """The stretches of `order` (the partition keys) that hold only LAs of `la_codes`, as (first, last)."""
    wanted, ranges, start, last = set(la_codes), [], None, None
    for key in order:
        if key in wanted:
            start, last = start or key, key
        elif start:
            ranges.append((start, last))
            start = None
    if start:
        ranges.append((start, last))
    missing = wanted - set(order)
    if missing:
        raise ValueError(f"not LA partitions (register them first): {', '.join(sorted(missing))}")
    return ranges


def range_tags(first: str, last: str) -> dict[str, str]:
    """The tags that make a run of the LAs first..last (Dagster's own partition-range tags)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}

"""The code location loads, with the graph, job, schedule and sensor people rely on."""

import dagster as dg

from pipeline.defs.definitions import defs
from pipeline.defs.sensors import inbox_sensor
from pipeline.specs import entities
from pipeline.defs.partitions import LA_PARTITIONS, la_ranges, range_tags
from tests.inbox_builder import write_la


def test_definitions_load_with_the_whole_graph():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {f"raw_{e}" for e in entities()} | {"raw_manifests", "published_warehouse"} <= keys
    assert {"stg_cp_plans", "int_working_days", "int_periods", "fct_indicator_values", "bank_holidays"} <= keys
    # lineage: the dbt staging model reads the loader's asset, publish reads the gated indicators
    assert dg.AssetKey("raw_cp_plans") in graph.get(dg.AssetKey("stg_cp_plans")).parent_keys
    # the loads' bookkeeping table sits in the raw group, after every load, not in "default"
    supplied = graph.get(dg.AssetKey("raw_supplied_entities"))
    assert supplied.group_name == "raw" and {f"raw_{e}" for e in entities()} <= {
        k.to_user_string() for k in supplied.parent_keys}
    assert dg.AssetKey("raw_supplied_entities") in graph.get(dg.AssetKey("stg_supplied_entities")).parent_keys
    assert "default" not in {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {dg.AssetKey("fct_indicator_values"), dg.AssetKey("indicator_values")} <= graph.get(
        dg.AssetKey("published_warehouse")).parent_keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("fct_indicator_values", "indicator_values_suite") in checks
    assert ("raw_cp_plans", "row_rules") in checks and ("raw_cla_episodes", "no_overlaps") in checks
    assert ("fct_indicator_values", "checks_fct_indicator_values") in checks  # dbt tests appear as asset checks


def test_indicator_suite_is_blocking():
    spec = next(
        s for a in defs.resolve_asset_graph().assets_defs for s in a.check_specs if s.name == "indicator_values_suite"
    )
    assert spec.blocking


def test_job_schedule_and_sensor():
    job = defs.resolve_job_def("full_refresh")
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Europe/London")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert defs.resolve_sensor_def("inbox_sensor").default_status == dg.DefaultSensorStatus.RUNNING


def test_sensor_adds_each_la_as_a_partition_and_requests_a_run_only_when_the_inbox_changes(tmp_path):
    from pipeline.defs.resources import RefreshSettings

    write_la(tmp_path, "X1", {})  # a folder is an LA by its manifest
    settings = RefreshSettings(inbox_dir=str(tmp_path), warehouse_path=str(tmp_path / "w.duckdb"))
    with dg.instance_for_test() as instance:
        check_sensor_and_schedule(tmp_path, settings, instance)


def check_sensor_and_schedule(tmp_path, settings, instance):
    with dg.build_sensor_context(instance=instance, resources={"settings": settings}) as context:
        first = inbox_sensor(context)
        assert [r.tags for r in first] == [range_tags("X1", "X1")]
        assert instance.get_dynamic_partitions(LA_PARTITIONS.name) == ["X1"]
        assert isinstance(inbox_sensor(context), dg.SkipReason)  # cursor moved: nothing new
        write_la(tmp_path, "X2", {})
        second = inbox_sensor(context)
        # X1 has not been refreshed yet (no warehouse): still due, with the new X2, in one run
        assert [r.tags for r in second] == [range_tags("X1", "X2")] and second[0].run_key != first[0].run_key
        assert instance.get_dynamic_partitions(LA_PARTITIONS.name) == ["X1", "X2"]
    with dg.build_schedule_context(instance=instance, resources={"settings": settings}) as context:
        nightly = defs.resolve_schedule_def("nightly_refresh").evaluate_tick(context)
        assert [r.partition_key_range for r in nightly.run_requests] == [dg.PartitionKeyRange("X1", "X2")]


def test_las_that_are_not_neighbours_in_the_partition_order_take_a_run_each():
    order = ["A", "B", "C", "D", "E"]
    assert la_ranges(order, ["A", "B", "D"]) == [("A", "B"), ("D", "D")]
    assert la_ranges(order, order) == [("A", "E")]
    assert la_ranges(order, []) == []
    assert la_ranges(order, ["E", "C"]) == [("C", "C"), ("E", "E")]

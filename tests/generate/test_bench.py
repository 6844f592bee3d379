"""`pipeline bench`: it measures what it says on the same files (figures only, no timing asserted).
The refresh leg is `pipeline.defs.refresh.run_refresh`, which tests/defs/test_refresh.py covers."""

from __future__ import annotations

import json

import pytest

from pipeline.defs import bench
from pipeline.paths import DBT_PROJECT_DIR
from pipeline.cli import main
from pipeline.specs import entities


def test_bench_generates_scans_every_row_and_cleans_up(tmp_path, capsys):
    lines = []
    timings = bench.run("demo", 1, 2, 7, 1, tmp_path / "work", keep=False, with_refresh=False, print_=lines.append)
    inbox = tmp_path / "work" / "inbox"
    files = bench.entity_files(inbox)
    assert len(files) == len(entities())          # the generator writes every entity of the contract
    rows_in_files = sum(len(p.read_text().splitlines()) - 1 for p in files)
    assert timings["generate"].rows == timings["scan"].rows == rows_in_files > 0
    assert lines[1] == "  path timed: native CSV extract"  # the default path; --format ssda903: test_ssda903_format.py
    assert [line.split()[0] for line in lines[2:]] == ["generate", "bare"]
    assert "rows/s" in lines[2] and "rows/s" in lines[3]


def test_bench_command_removes_its_temporary_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)       # re-read TMPDIR
    assert main(["bench", "--scale", "demo", "--las", "1", "--months", "1", "--skip-refresh"]) == 0
    assert "bare scan" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def run_ids(home) -> list[str]:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        return [run.run_id for run in instance.get_runs()]


def step_times(home, runs: list[str]) -> tuple[dict[str, float], float]:
    """From the runs a Dagster instance recorded (event timestamps, not the durations bench reads): each
    step's seconds from its start to its success, and the seconds of each run before its first step."""
    import dagster as dg

    steps, before_steps = {}, 0.0
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run in map(instance.get_run_by_id, runs):
            logs = [e for e in instance.all_logs(run.run_id) if e.is_dagster_event]
            started = {e.step_key: e.timestamp for e in logs if e.dagster_event.is_step_start}
            for e in logs:
                if e.dagster_event.is_step_success:
                    steps[e.step_key] = steps.get(e.step_key, 0.0) + e.timestamp - started[e.step_key]
            before_steps += min(started.values()) - logs[0].timestamp
    return steps, before_steps


def test_bench_reports_each_stage_share_of_the_refresh(tmp_path, monkeypatch):
    """The refresh line is followed by start-up, load, gate, dbt, publish and report: each measured from the
    run's own step events (the gate from the raw steps' gate_seconds), each positive, together the refresh.
    Each stage is checked against the step times the Dagster instance recorded, so a step counted twice or
    in another stage's share fails here (start-up, the remainder, cannot be checked by adding up)."""
    lines, home, full_refresh_runs = [], tmp_path / "dagster", []
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the runs are recorded, as with the UI

    def full_refresh(*args, **kwargs):  # the full refresh's runs, not the incremental ones that follow
        done = real_refresh(*args, **kwargs)
        full_refresh_runs.extend(run_ids(home))
        return done

    real_refresh = bench.refresh
    monkeypatch.setattr(bench, "refresh", full_refresh)
    # two LAs: each raw step then materialises two partitions, with its gate time counted once
    timings = bench.run("demo", 2, 2, 7, 1, tmp_path / "work", keep=False, with_refresh=True, print_=lines.append)
    full = timings["refresh"]
    assert list(full.stages) == list(bench.STAGES)
    assert all(seconds > 0 for seconds in full.stages.values()), full.stages
    assert full.stages["start-up"] < full.seconds / 2  # the steps, not the remainder, carry the refresh
    steps, before_steps = step_times(home, full_refresh_runs)
    recorded = dict.fromkeys(bench.STAGES, 0.0)
    for step, seconds in steps.items():
        recorded[bench.stage_of(step)] += seconds
    # the raw steps' gate time moves from load to gate, so only their sum is the steps' time
    recorded["load"], recorded["gate"] = 0.0, recorded["load"] + recorded["gate"]
    measured = {**full.stages, "load": 0.0, "gate": full.stages["load"] + full.stages["gate"]}
    for name in bench.STAGES[1:]:
        assert measured[name] == pytest.approx(recorded[name], rel=0.05, abs=0.2), (name, measured, recorded)
    assert 0 < full.stages["gate"] < measured["gate"]
    assert full.stages["start-up"] >= before_steps > 0  # job and resource start come before the first step
    assert f"  runs recorded in: the Dagster instance in {home} (DAGSTER_HOME)" in lines  # the runs read above
    line = next(l for l in lines if l.strip().startswith("refresh stages:"))
    for name in bench.STAGES:
        assert f"{name} {full.stages[name]:.1f} s (" in line
    assert "peak memory" in line
    # the dbt nodes the build ran, against the prebuilt manifest: every model, seed and data test, no unit test
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    kinds = [node["resource_type"] for node in manifest["nodes"].values()]
    expected = {"model": kinds.count("model"), "seed": kinds.count("seed"), "test": kinds.count("test")}
    assert full.dbt_nodes == expected
    assert f"dbt nodes: {sum(expected.values())} ({expected['model']} models, {expected['seed']} seeds, " \
           f"{expected['test']} data tests)" in [l.strip() for l in lines]
    # the column lineage, computed outside the refresh from a copy of the prebuilt manifest: the same as
    # make manifest kept beside the project's (pipeline/column_lineage.py)
    assert timings["lineage"].rows == expected["model"] and timings["lineage"].seconds > 0
    line = next(l.strip() for l in lines if l.strip().startswith("column lineage"))
    assert f"({expected['model']} dbt models; once per manifest, outside the refresh" in line
    assert "ms to each definitions load" in line
    copy = json.loads((tmp_path / "work" / "lineage" / "column_lineage.json").read_text())
    kept = json.loads((DBT_PROJECT_DIR / "target" / "column_lineage.json").read_text())
    assert copy["manifest_sha256"] == kept["manifest_sha256"] and copy["nodes"] == kept["nodes"]


def test_every_step_of_the_refresh_job_has_a_bench_stage():
    """A step added to the job without a stage fails here, instead of its time hiding in another share."""
    from pipeline.defs.definitions import defs

    steps = [node.name for node in defs.resolve_job_def("full_refresh").nodes_in_topological_order]
    assert {bench.stage_of(step) for step in steps} == set(bench.STAGES) - {"start-up"}
    with pytest.raises(ValueError, match="'export_parquet'"):
        bench.stage_of("export_parquet")

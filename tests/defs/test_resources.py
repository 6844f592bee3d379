"""The resources: the engine is checked when the resource is configured, and dbt starts once a refresh:
the one private dagster-dbt method overridden (no public way: pipeline/defs/resources.py says why) still
exists under that name and is still what cli() calls, and dagster-dbt's version question is answered
without starting dbt."""

import importlib.metadata
import inspect
import subprocess
import sys

import dagster as dg
import pytest
from dagster_dbt import DbtCliResource
from packaging import version

from pipeline.defs.definitions import defs
from pipeline.defs.resources import RefreshSettings, WarehouseDbt, build_resources


def test_a_wrong_engine_fails_when_the_settings_are_configured_not_when_dbt_runs():
    with pytest.raises(ValueError, match="'duckdb' or 'spark'"):
        RefreshSettings(engine="sparc")
    job = defs.resolve_job_def("full_refresh")
    with pytest.raises(dg.DagsterInvalidConfigError, match="sparc"):
        dg.validate_run_config(job, {"resources": {"settings": {"config": {"engine": "sparc"}}}})
    dg.validate_run_config(job, {"resources": {"settings": {"config": {"engine": "spark"}}}})


def test_the_only_private_dagster_dbt_method_overridden_is_the_adapter_and_cli_still_calls_it():
    private = {name for name in vars(WarehouseDbt) if name.startswith("_") and not name.startswith("__")
               and name not in vars(dg.ConfigurableResource) and not name.startswith("_abc")}
    assert private == {"_initialize_dbt_core_adapter"}
    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None)), "dagster-dbt renamed it"
    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    assert build_resources()["dbt"]._initialize_dbt_core_adapter(["build"]) is None


def test_dagster_dbt_learns_dbt_s_version_from_pipeline_dbt_without_dbt_starting():
    dbt = build_resources()["dbt"]
    assert version.parse(importlib.metadata.version("dbt-core")) == dbt._cli_version  # what dagster-dbt parses
    probe = ("import sys; from pipeline.runtime import dbt_child; sys.argv[1:] = ['--version']; dbt_child.main(); "
             "print('dbt imported' if any(m == 'dbt' or m.startswith('dbt.') for m in sys.modules) else 'no dbt')")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.splitlines()[-1] == "no dbt" and f"installed: {importlib.metadata.version('dbt-core')}" in out

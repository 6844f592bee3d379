"""The gate thresholds and the load order are stated once, in pipeline/specs/gate.yml: the refresh
settings' defaults, the reference fingerprint's defaults, the CLI help, the validate command's
order and the raw assets' dependencies take them from there."""

import argparse

import pytest

import pipeline.specs as specs
from pipeline.cli import _parser
from pipeline.defs.resources import RefreshSettings
from pipeline.state import GATE_DEFAULTS
from tests.specs.conftest import edit


def test_the_refresh_settings_and_the_fingerprint_take_their_defaults_from_the_spec():
    thresholds = specs.gate().thresholds
    assert set(thresholds) == {"max_quarantine_share", "max_overlap_share", "volume_change_factor",
                               "indicator_change_factor"}
    settings = RefreshSettings()
    assert {name: getattr(settings, name) for name in thresholds} == {name: t.default for name, t in thresholds.items()}
    assert GATE_DEFAULTS == {"max_quarantine_share": 0.05, "max_overlap_share": 0.05,  # extracts.md
                             "volume_change_factor": 2.0, "indicator_change_factor": 2.0}


def _help(command: str) -> str:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return " ".join(sub.choices[command].format_help().split())


def test_the_cli_help_follows_the_spec(spec_dir):
    assert "hold an LA back when more than this share of an entity's rows is quarantined (default 0.05)" in _help("refresh")
    edit(spec_dir / "gate.yml", "default: 0.05\n    help: hold an LA back when more than this share of an entity's",
         "default: 0.1\n    help: hold an LA back when over this share of an entity's")
    for command in ("refresh", "validate"):
        assert "hold an LA back when over this share of an entity's rows is quarantined (default 0.1)" in _help(command)


def test_the_load_order_follows_the_spec(spec_dir):
    from pipeline.defs.assets.raw import _loaded_after

    assert specs.load_order()[:2] == ["children", "contacts"]
    assert (_loaded_after("children"), _loaded_after("contacts")) == ("raw_manifests", "raw_children")
    edit(spec_dir / "gate.yml", "load_first: [children]", "load_first: [children, cin_plans]")
    assert specs.load_order()[:3] == ["children", "cin_plans", "contacts"]
    assert [_loaded_after(n) for n in ("children", "cin_plans", "contacts")] == [
        "raw_manifests", "raw_children", "raw_cin_plans"]


def test_a_threshold_default_out_of_its_range_fails_at_load(spec_dir):
    edit(spec_dir / "gate.yml", "kind: factor\n    default: 2.0", "kind: factor\n    default: 0.5")
    with pytest.raises(specs.SpecError, match=r"gate\.yml: thresholds\.volume_change_factor: default 0\.5 is not a "
                                              r"factor \(at least 1\)"):
        specs.gate()

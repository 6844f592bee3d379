"""The asset graph as a reviewed text file: keys, groups, the step materialising each, dependencies,
checks and partitions of pipeline.defs.definitions.defs, one asset per block. Any change to lineage fails this test until
tests/defs/asset_graph.txt is regenerated and committed with it:

    UPDATE_ASSET_GRAPH=1 pytest tests/defs/test_asset_graph.py
"""

import difflib
import os
from pathlib import Path

from pipeline.defs.definitions import defs

SNAPSHOT = Path(__file__).resolve().parent / "asset_graph.txt"


def render() -> str:
    graph = defs.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), []).append(key.name)
    blocks = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        name = key.to_user_string()
        partitions, policy = node.partitions_def, node.backfill_policy
        step = node.assets_def.node_def.name if node.is_executable else "none (declared only)"
        lines = [name, f"  group: {node.group_name}", f"  step: {step}",
                 f"  partitions: {type(partitions).__name__ + ' ' + str(getattr(partitions, 'name', '')) if partitions else 'none'}"
                 + (f" (backfill: {policy.policy_type.value.lower()})" if partitions and policy else "")]
        lines += [f"  dep: {p.to_user_string()}" for p in sorted(node.parent_keys, key=lambda k: k.to_user_string())]
        lines += [f"  check: {c}" for c in sorted(checks.get(name, []))]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def test_asset_graph_matches_the_committed_snapshot():
    current = render()
    if os.environ.get("UPDATE_ASSET_GRAPH"):
        SNAPSHOT.write_text(current)
    committed = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    diff = "".join(difflib.unified_diff(committed.splitlines(True), current.splitlines(True),
                                        "asset_graph.txt (committed)", "asset_graph (now)"))
    assert not diff, f"the asset graph changed: review, then UPDATE_ASSET_GRAPH=1 and commit\n{diff}"


def test_the_snapshot_names_every_asset_and_check():
    text = SNAPSHOT.read_text()
    graph = defs.resolve_asset_graph()
    assert all(f"\n{k.to_user_string()}\n" in f"\n{text}" for k in graph.get_all_asset_keys())
    assert all(f"  check: {c.name}\n" in text for c in graph.asset_check_keys)

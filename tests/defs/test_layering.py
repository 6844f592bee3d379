"""The package's import structure, as dagster-open-platform keeps it: the Dagster code location in a
folder of its own (pipeline/defs/: assets, checks, jobs, schedules, sensors, partitions, resources,
definitions, and the in-process refresh and bench that run its job), the CLI above it, a library below
that never imports either, and no cycles. Read from the source with ast, so a lazy import inside a function counts too."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipeline"
# layers by folder, top first: the CLI, the Dagster code location (pipeline/defs/), and the library
# (every other module of the package). A module may import its own layer and those below it.
LAYERS = ("pipeline.cli", "pipeline.defs", "pipeline")


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


MODULES = _modules()


def _owner(dotted: str) -> str:
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted


def _imports(module: str) -> list[tuple[str, str | None]]:
    """(imported module, name imported from it or None) for every pipeline import in the module."""
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pipeline":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub, None) if sub in MODULES else (_owner(node.module), alias.name))
        elif isinstance(node, ast.Import):
            found += [(_owner(a.name), None) for a in node.names if a.name.split(".")[0] == "pipeline"]
    return [(m, n) for m, n in found if m and m != module]


GRAPH = {m: {target for target, _ in _imports(m)} for m in MODULES}


def layer(module: str) -> int:
    """0 for the top layer; a module belongs to the first prefix that names it or a folder above it."""
    return next(i for i, prefix in enumerate(LAYERS) if module == prefix or module.startswith(prefix + "."))


def test_no_import_cycles():
    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in GRAPH[start]:
            if nxt == goal or (nxt not in seen and not seen.add(nxt) and reaches(nxt, goal, seen)):
                return True
        return False

    cycles = sorted(m for m in MODULES if reaches(m, m, set()))
    assert not cycles, f"modules on an import cycle: {cycles}"


def test_no_layer_imports_one_above_it():
    upward = sorted((m, t) for m in MODULES for t in GRAPH[m] if layer(t) < layer(m))
    assert not upward, f"modules importing a layer above their own (library -> defs -> cli): {upward}"


def test_every_layer_holds_modules():
    """The prefixes name real folders: a renamed folder would otherwise leave its layer empty and unchecked."""
    assert {layer(m) for m in MODULES} == set(range(len(LAYERS)))


def test_source_descriptions_import_nothing_of_the_package():
    assert GRAPH["pipeline.load.sources"] == set()


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("pipeline.load.adapters")))
def test_adapters_are_handed_their_files_not_the_inbox(module):
    assert "pipeline.load.inbox" not in GRAPH[module]


def test_no_private_name_is_used_across_modules():
    leaks = sorted((m, f"{t}.{n}") for m in MODULES for t, n in _imports(m) if n and n.startswith("_"))
    for module, path in MODULES.items():  # module._name through an imported module
        tree = ast.parse(path.read_text())
        aliases = {a.asname or a.name: f"{node.module}.{a.name}" for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline")
                   for a in node.names if f"{node.module}.{a.name}" in MODULES}
        leaks += [(module, f"{aliases[n.value.id]}.{n.attr}") for n in ast.walk(tree)
                  if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases
                  and n.attr.startswith("_") and not n.attr.startswith("__")]
    assert not leaks, f"private names used outside their module: {leaks}"


def test_the_checks_would_see_a_cycle():
    """The cycle search is not vacuous: the graph has edges, and a planted back edge is found."""
    assert sum(map(len, GRAPH.values())) > 50
    GRAPH["pipeline.specs"].add("pipeline.load.land")
    try:
        with pytest.raises(AssertionError, match="import cycle"):
            test_no_import_cycles()
    finally:
        GRAPH["pipeline.specs"].discard("pipeline.load.land")


def test_the_checks_would_see_an_upward_import():
    """A library module planted importing the Dagster layer is found, and so is defs importing the CLI."""
    for module, target in (("pipeline.load.land", "pipeline.defs.refresh"), ("pipeline.defs.refresh", "pipeline.cli")):
        GRAPH[module].add(target)
        try:
            with pytest.raises(AssertionError, match="a layer above"):
                test_no_layer_imports_one_above_it()
        finally:
            GRAPH[module].discard(target)


def test_assets_never_import_checks():
    """The checks are on the assets (they import the keys they check), never the other way round."""
    back = sorted((m, t) for m in MODULES if m.startswith("pipeline.defs.assets")
                  for t in GRAPH[m] if t.startswith("pipeline.defs.checks"))
    assert not back, f"assets importing checks: {back}"

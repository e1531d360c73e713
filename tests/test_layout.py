"""The package's layers, checked from the code's own imports: no loops, and imports only downward.

    _version  <  scenario  <  allocate  <  checks  <  pipeline  <  analysis  <  output  <  web  <  subsidy (the package's face)

Every `import subsidy.…` and `from subsidy.… import` counts, also those inside functions (a lazy
import is still an import). Within one layer modules may import each other, but never in a loop;
the verifier keeps its own reading of the rules (tests/test_verify.py checks that too).
No module is longer than MAX_LINES: past that it is several things to be split.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "subsidy"
LAYERS = ["scenario", "allocate", "checks", "pipeline", "analysis", "output", "web"]
MAX_LINES = 600


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("subsidy"):
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("subsidy")]
        found |= {n for n in names if n in known}
    return found


def layer(module: str) -> int | None:
    """The module's layer; `subsidy` itself (the package's face) is above all, `_version` below all."""
    parts = module.split(".")
    if module == "subsidy":
        return len(LAYERS)
    if module == "subsidy._version":
        return -1
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_imports_only_go_down_the_layers():
    mods = modules()
    upward = []
    for name, path in mods.items():
        mine = layer(name)
        for target in imports(path, set(mods)):
            theirs = layer(target)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{name} → {target}")
    assert upward == []


def test_no_import_loops():
    mods = modules()
    graph = {name: {t for t in imports(path, set(mods)) if t != name and t != "subsidy"} for name, path in mods.items()}
    state: dict[str, int] = {}
    loops = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(nxt_name := node, ())):
            if state.get(nxt) == 1:
                loops.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[nxt_name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert loops == []


def test_no_module_is_too_long_to_hold_in_the_head():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_analyses_compute_and_output_words():
    """The analyses compute tables; their sentences and text tables are output's
    (output/phrases.py, output/analysis_text.py)."""
    words = {"subsidy.scenario.labels.Phrases", "subsidy.scenario.labels.money", "subsidy.scenario.labels.table"}
    mods = modules()
    found = [f"{name} → {target}" for name, path in mods.items() if name.startswith("subsidy.analysis")
             for target in sorted(imports(path, set(mods) | words) & words)]
    assert found == []

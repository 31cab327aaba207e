"""The shape of the package: no import cycle between brecha's modules, no module over 500 lines.

The import graph is read from the source with :mod:`ast` (every ``import``,
at module level or inside a function, since a lazy import still ties two
modules together), so the test needs nothing imported.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "brecha"
MAX_LINES = 500


def _module(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the brecha modules it imports (a ``from pkg import mod`` counts as importing ``pkg.mod``)."""
    files = {_module(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_package, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for t in targets:
                while t and t not in files:  # brecha.maps.MAPS -> brecha.maps
                    t = t.rpartition(".")[0]
                if t and t != mod and t.startswith("brecha"):
                    graph[mod].add(t)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_the_graph_reader_sees_a_cycle_when_there_is_one(tmp_path):
    pkg = tmp_path / "brecha"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .a import x\n")
    (pkg / "c.py").write_text("import brecha.a\n")
    graph = import_graph(pkg)
    assert graph["brecha.a"] == {"brecha.b"} and graph["brecha.b"] == {"brecha.a"} and graph["brecha.c"] == {"brecha.a"}
    assert sorted(set(_cycle(graph))) == ["brecha.a", "brecha.b"]


def test_no_import_cycle_in_brecha():
    cycle = _cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_500_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines (at most {MAX_LINES})"


def test_checking_specs_imports_no_classifier():
    """A no-op build checks every spec against its function's signature, which imports brecha.maps:
    mapclassify (1 s of scipy.stats) must load only when a map is drawn, or a no-op build takes seconds."""
    import subprocess
    import sys

    code = ("import sys; from brecha.pipeline.spec import load_specs; from brecha.settings import default_layers_dir; "
            "load_specs(default_layers_dir()); print('mapclassify' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

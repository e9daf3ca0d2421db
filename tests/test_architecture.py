"""The toolkit's shape: the import contract holds, no module imports itself round a cycle, and the
formulas the issue found copied live in one place each (docs/architecture.md)."""

from __future__ import annotations

import re
import subprocess
import sys
import tokenize
from pathlib import Path

import grimp

from tests.conftest import ROOT


def test_import_contract_holds():
    """`lint-imports` checks the layers of pyproject.toml's [tool.importlinter] against the code."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), plus modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # recursion depth is bounded by the ~60 modules of course/
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.find_modules_directly_imported_by(node):
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_even_inside_functions():
    """grimp reads every import statement, including those inside functions."""
    graph = grimp.build_graph("course", cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: a two-module package that imports itself round is caught."""
    package = tmp_path / "cyclic_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from cyclic_pkg import b\n")
    (package / "b.py").write_text("from cyclic_pkg import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic_pkg", cache_dir=None)
    assert _cycles(graph) == [["cyclic_pkg.a", "cyclic_pkg.b"]]


def _code_lines(path: Path) -> dict[int, str]:
    """Each line's code with strings and comments left out (so docstrings do not count)."""
    lines: dict[int, list[str]] = {}
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER):
                lines.setdefault(token.start[0], []).append(token.string)
    return {number: " ".join(parts) for number, parts in lines.items()}


_PER_MILLION = re.compile(r"/ (1e6|1_000_000)\b|\b(1e-6)\b")
_PRICE = re.compile(r"price|usd_per_m")


def test_the_token_cost_formula_is_written_once():
    """Only course.cost_of_tokens divides tokens times a price by a million."""
    hits = []
    for path in sorted((ROOT / "course").rglob("*.py")):
        for code in _code_lines(path).values():
            if _PER_MILLION.search(code) and _PRICE.search(code):
                hits.append(f"{path.relative_to(ROOT).as_posix()}: {code}")
    assert hits == ["course/calculators/_units.py: return tokens * price_per_million / 1_000_000"]

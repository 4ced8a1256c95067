"""The package's layout holds: no import cycles, the data's path one way, pages only pages."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analytics", "ui")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "versions" in path.parts:        # alembic revisions are scripts, not modules
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module named by an import in `path` (also inside functions), TYPE_CHECKING aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for block in ast.walk(tree)
               if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
               for n in ast.walk(block)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _graph() -> dict[str, set[str]]:
    return {name: {m for m in _imports(path) if m in MODULES and m != name}
            for name, path in MODULES.items()}


def test_there_are_no_import_cycles():
    graph = _graph()
    seen: dict[str, int] = {}          # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for start in sorted(graph):
        if start not in seen:
            visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("analytics", "streamlit"),          # the package is tested without a running app
    ("analytics.present", "analytics.store"),   # figures and text receive numbers
    ("analytics.metrics", "analytics.store"),
    ("analytics.metrics", "analytics.present"),
    ("analytics.ingest", "analytics.store"),
    ("analytics.ingest", "analytics.metrics"),
])
def test_the_data_path_runs_one_way(layer, forbidden):
    offenders = sorted(name for name, path in MODULES.items()
                       if (name == layer or name.startswith(layer + "."))
                       and any(m == forbidden or m.startswith(forbidden + ".")
                               for m in _imports(path)))
    assert offenders == []


def test_pages_holds_page_scripts_only():
    """Every file in pages/ is a page the router lists; nothing imports a page as a module."""
    router = (ROOT / "dashboard.py").read_text(encoding="utf-8") + \
        (ROOT / "ui" / "session.py").read_text(encoding="utf-8")
    listed = set(re.findall(r'"pages/(\w+\.py)"', router))
    scripts = {p.name for p in (ROOT / "pages").glob("*.py")}
    assert scripts == listed
    for path in [*MODULES.values(), ROOT / "dashboard.py", *(ROOT / "pages").glob("*.py")]:
        assert not any(m == "pages" or m.startswith("pages.") for m in _imports(path)), path


def test_pages_do_no_dataframe_work():
    """Pages read widgets, call analytics and render: no pandas of their own."""
    offenders = [p.name for p in (ROOT / "pages").glob("*.py")
                 if {"pandas", "numpy"} & _imports(p)]
    assert offenders == []

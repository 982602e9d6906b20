"""One owner of the run record: no package module but ganbench.record builds or edits one.

DESIGN.md: the record "is a typed structure in one module that alone builds,
encodes, decodes and validates it". Runners compute values and call the
builders of :mod:`ganbench.record`; this test reads the package's source (its
syntax trees) and fails on what builds or edits a record elsewhere:

- a dict display with both ``"schema"`` and ``"run_id"`` keys (a record made by hand);
- an assignment, augmented assignment or ``del`` through ``X["<field>"]`` where
  ``X`` is a name that says record (``rec``, ``record``, ``records``…) and
  ``<field>`` is a top-level field of :class:`~ganbench.record.RunRecord`;
- a mutating method (``update``, ``setdefault``, ``pop``, …) called on such a
  name, or on ``X["<field>"]`` of one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from ganbench.record import RunRecord

PACKAGE = Path(__file__).resolve().parents[1] / "ganbench"
OWNERS = {PACKAGE / "record.py", PACKAGE / "record_checks.py"}
FIELDS = RunRecord.__required_keys__ | RunRecord.__optional_keys__
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def _says_record(node: ast.expr) -> bool:
    """Whether ``node`` is a name that says it holds a record (``rec``, ``record``, …)."""
    return isinstance(node, ast.Name) and "rec" in node.id.lower()


def _field_of_record(node: ast.expr) -> str | None:
    """``<field>`` when ``node`` is ``rec["<field>"]`` or ``rec[0]["<field>"]["x"]``, else None."""
    field = None
    while isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and key.value in FIELDS:
            field = str(key.value)
        node = node.value
    return field if _says_record(node) else None


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def _problems(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for every construction or edit of a record in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"schema", "run_id"} <= keys:
                yield node.lineno, "a record dict literal"
        for target in _targets(node):
            if (field := _field_of_record(target)) is not None:
                yield node.lineno, f"sets or deletes the record field {field!r}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            obj, method = node.func.value, node.func.attr
            if method in MUTATORS and (_says_record(obj) or _field_of_record(obj)):
                yield node.lineno, f"calls .{method}() on a record"


def violations(source: str, name: str = "<src>") -> list[str]:
    """The record constructions or edits in ``source``, as ``name:line: what``."""
    return [f"{name}:{line}: {what}" for line, what in _problems(ast.parse(source))]


def test_only_the_record_module_builds_or_edits_records():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path not in OWNERS:
            found += violations(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    assert not found, "build records with ganbench.record's builders:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'rec = {"schema": 1, "run_id": "ab", "status": "ok"}',
        'rec["status"] = "failed"',
        'record["runner"] = {"pid": 1}',
        'rec["curves"]["eval"] = curve',
        'records[0]["status"] = "ok"',
        'rec["timing"] += 1',
        'del rec["error"]',
        "rec.update(status='ok', metrics={})",
        'rec.setdefault("samples", {})["grid"] = "x.png"',
        'record.pop("_files", None)',
        'rec["samples"].update(grid="x.png")',
    ],
)
def test_the_check_finds_hand_made_records(source):
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        'status = rec["status"]',
        'rec = gan_record(head, status="ok")',
        'row = {"run_id": rec["run_id"], "status": "ok", "metric": name}',
        'entry["error"] = str(exc)',
        "records.append(rec)",
        'rec.get("curves")',
        'metrics["fid"] = {"value": 1.0}',
    ],
)
def test_the_check_lets_reads_and_other_dicts_be(source):
    assert not violations(source)

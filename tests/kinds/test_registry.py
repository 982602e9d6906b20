"""Every registered suite kind: the interface, its name defined once, its example run end to end.

A new kind is covered here as soon as it is registered (its ``example`` suite
is parsed, validated, run and reported), without editing this file.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest

import ganbench
from ganbench.cli import main
from ganbench.errors import ConfigError
from ganbench.kinds import DEFAULT, KINDS, RunRequest, SuiteKind, get_kind, kind_name, load_suite

PACKAGE = Path(ganbench.__file__).resolve().parent
NAMES = KINDS.names()


def test_the_known_kinds_are_registered():
    assert {"gan", "divergence-fit"} <= set(NAMES)
    assert DEFAULT == "gan"


@pytest.mark.parametrize("name", NAMES)
def test_kind_implements_the_interface(name):
    cls = KINDS.get(name)
    assert issubclass(cls, SuiteKind) and not inspect.isabstract(cls)
    assert cls.name == name == sys.modules[cls.__module__].NAME
    assert KINDS.entry(name).description  # the class docstring, for docs
    kind = get_kind(name)
    for method in ("parse", "validate_summary", "run", "report", "load_paper_run", "reproduce"):
        assert callable(getattr(kind, method))
    assert cls.example.strip()


@pytest.mark.parametrize("name", NAMES)
def test_kind_name_is_defined_once(name):
    """The quoted name appears only in its kind's module (everything else imports NAME)."""
    home = Path(sys.modules[KINDS.get(name).__module__].__file__).resolve()
    quoted = re.compile(rf"""["']{re.escape(name)}["']""")
    where = [
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*.py")
        if p.resolve() != home and _is_kind_literal(quoted, p.read_text(), name)
    ]
    assert not where, f"kind name {name!r} spelled out in {where}"


def _is_kind_literal(quoted: re.Pattern[str], text: str, name: str) -> bool:
    """``name`` quoted near the word ``kind`` (so the objective "gan" does not count)."""
    return any("kind" in line.lower() for line in text.splitlines() if quoted.search(line))


@pytest.mark.parametrize("name", NAMES)
def test_example_parses_validates_runs_and_reports(name, tmp_path, capsys):
    path = tmp_path / f"{name}.yaml"
    path.write_text(KINDS.get(name).example)
    kind, suite = load_suite(path)
    assert kind.name == name and suite.path == path
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: ok — ")
    request = RunRequest(tmp_path / "results", tmp_path / "reports", device="cpu", progress=False)
    lines = kind.run(suite, request)
    assert lines and all(isinstance(line, str) for line in lines)
    assert any(line.startswith("report: ") for line in lines)
    again = kind.report(suite, request.results, request.reports)
    assert again[-1] == lines[-1]
    assert (tmp_path / "reports" / suite.name / "index.html").is_file()


def test_a_suite_without_kind_is_the_default(write_suite):
    path = write_suite(KINDS.get(DEFAULT).example.replace("kind:", "# kind:"))
    kind, _ = load_suite(path)
    assert kind.name == DEFAULT


@pytest.mark.parametrize("bad", ["nope", "GAN", 3, None])
def test_unknown_kind_is_a_one_line_error_listing_the_kinds(bad, write_suite, capsys):
    path = write_suite(f"name: x\nkind: {bad if bad is not None else 'null'}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and "kind:" in err
    assert all(name in err for name in NAMES)
    with pytest.raises(ConfigError, match="is not valid"):
        kind_name({"kind": bad}, "here")

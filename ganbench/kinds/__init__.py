"""Suite kinds: what a suite file's top-level ``kind:`` selects (``gan`` when absent).

Every kind is a :class:`SuiteKind` in ``KINDS``; the CLI (``validate``,
``run``, ``report``) and ``ganbench reproduce`` dispatch through it. Adding a
kind is one module plus one import line here::

    # ganbench/kinds/mykind.py
    from ganbench.kinds.base import KINDS, SuiteKind

    NAME = "my-kind"  # the name that a suite's `kind:` says, spelled only here

    @KINDS.register(NAME)
    class MyKind(SuiteKind["MySuite"]):
        \"\"\"One line for the docs (the registry entry's description).\"\"\"

        name = NAME
        example = "..."  # a tiny suite file of this kind; the registry test runs it
        def parse(self, path, data, file_hash=""): ...  # and the other abstract methods

    # next to the fit and gan imports below (the one registration line):
    from ganbench.kinds import mykind as mykind

Kind modules import their implementation inside the methods, so importing
:mod:`ganbench.kinds` stays cheap and the implementation (e.g.
:mod:`ganbench.fits.suite`) can import its kind's ``NAME`` without a cycle.
The registry test (``tests/kinds/test_registry.py``) covers a new kind as soon
as it is registered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganbench.errors import ConfigError, echo
from ganbench.kinds import evaluation as evaluation
from ganbench.kinds import fit as fit
from ganbench.kinds import gan as gan
from ganbench.kinds.base import (
    KINDS,
    KindSuite,
    PaperRun,
    ReproduceRequest,
    RunRequest,
    SuiteKind,
    file_digest,
)
from ganbench.strict import expect
from ganbench.yamlio import load_yaml_file

DEFAULT = gan.NAME  # the kind of a suite file without a ``kind:`` key

__all__ = [
    "DEFAULT",
    "KINDS",
    "KindSuite",
    "PaperRun",
    "ReproduceRequest",
    "RunRequest",
    "SuiteKind",
    "file_digest",
    "get_kind",
    "kind_name",
    "load_suite",
]


def get_kind(name: str) -> SuiteKind[Any]:
    """The registered kind ``name`` (an instance); unknown names raise with the valid ones."""
    return KINDS.get(name)()


def kind_name(data: Any, where: str) -> str:
    """The ``kind:`` of a parsed suite mapping (:data:`DEFAULT` when absent).

    Anything not registered is a one-line :class:`ConfigError` listing the valid kinds.
    """
    expect(data, dict, where, "a mapping at the top level")
    name = data.get("kind", DEFAULT)
    if not isinstance(name, str) or name not in KINDS:
        raise ConfigError(
            f"{where}: kind: {echo(name)} is not valid (valid: {', '.join(KINDS.names())})"
        )
    return name


def load_suite(path: str | Path) -> tuple[SuiteKind[Any], Any]:
    """Load a suite file of any kind: ``(its kind, the kind's validated suite object)``."""
    p = Path(path)
    data = load_yaml_file(p)
    kind = get_kind(kind_name(data, str(p)))
    return kind, kind.parse(p, data, file_digest(p))

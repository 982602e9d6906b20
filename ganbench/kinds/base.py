"""The :class:`SuiteKind` interface, the ``KINDS`` registry and the run request they share.

A suite kind is what a suite file's top-level ``kind:`` names (``gan`` when
absent). Each kind parses its own files, says what ``ganbench validate``
prints, runs the suite and renders its report, and, for paper suites, loads a
paper run at a budget and reproduces it. The CLI and ``ganbench reproduce``
only ever talk to this interface.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from ganbench.registry import Registry

if TYPE_CHECKING:
    import torch

    from ganbench.papers import Paper
    from ganbench.reproduce import Reproduction
    from ganbench.runner.sweep import RunOptions


class KindSuite(Protocol):
    """What every kind's suite object has (a GAN ``Suite``, a ``FitSuite``, ...)."""

    @property
    def name(self) -> str:
        """The suite name (the folder under results/ and reports/)."""

    @property
    def path(self) -> Path:
        """The file it was loaded from."""


class PaperRun(Protocol):
    """A paper suite at a budget, as a kind's :meth:`SuiteKind.load_paper_run` returns it."""

    @property
    def kind(self) -> str:
        """The registered name of the kind that loaded it."""

    @property
    def paper(self) -> Paper:
        """The validated ``paper:`` section."""

    @property
    def budget_name(self) -> str:
        """``cpu``, ``gpu`` or ``full``."""


@dataclass(frozen=True)
class RunRequest:
    """The ``ganbench run`` options, one object for every kind's :meth:`SuiteKind.run`.

    ``device`` is the flag as given (``auto``, ``cpu``, ``cuda``); a kind
    resolves it if it needs one. ``options`` (backend, jobs, Ray resources)
    defaults to a local, in-process run.
    """

    results: str | Path = "results"
    reports: str | Path = "reports"
    device: str = "auto"
    force: bool = False
    ensemble: bool = True
    progress: bool = True
    options: RunOptions | None = None


@dataclass(frozen=True)
class ReproduceRequest:
    """The ``ganbench reproduce`` options for every kind's :meth:`SuiteKind.reproduce`."""

    results: str | Path
    reports: str | Path
    device: torch.device
    train: bool = True
    force: bool = False
    progress: bool = True
    jobs: int | None = 1  # local worker processes (None: one per core on CPU, 1 on CUDA)


S = TypeVar("S", bound=KindSuite)


class SuiteKind(ABC, Generic[S]):
    """One suite kind: parse, validate summary, run, report, and reproduce a paper suite.

    Subclasses set ``name`` from their module's ``NAME`` constant and register
    with ``@KINDS.register(NAME)``; :func:`ganbench.kinds.kind` instantiates them.
    """

    name: ClassVar[str]  # the module's NAME, what ``kind:`` says
    example: ClassVar[str]  # a tiny suite file of this kind; the registry test runs it

    @abstractmethod
    def parse(self, path: Path, data: Mapping[str, Any], file_hash: str = "") -> S:
        """Validate the parsed YAML mapping of ``path`` into this kind's suite object."""

    @abstractmethod
    def validate_summary(self, suite: S) -> str:
        """What ``ganbench validate`` prints after ``<file>: ok — ``; checks assets too."""

    @abstractmethod
    def run(self, suite: S, request: RunRequest) -> list[str]:
        """Run what ``suite`` still needs, render its report; the lines to print."""

    @abstractmethod
    def report(self, suite: S, results: str | Path, reports: str | Path) -> list[str]:
        """Render the report of ``suite`` from its stored records; the lines to print."""

    @abstractmethod
    def load_paper_run(self, path: Path, budget: str) -> PaperRun:
        """Load paper suite ``path`` at ``budget`` (``cpu``, ``gpu`` or ``full``)."""

    @abstractmethod
    def budget_lines(self, run: PaperRun, results: str | Path = "results") -> list[str]:
        """One entry per budget for ``ganbench reproduce --list`` (loaded at ``full``).

        ``results`` is the results root, where a kind may find records that measured
        a budget's time.
        """

    @abstractmethod
    def reproduce(self, run: PaperRun, request: ReproduceRequest) -> Reproduction:
        """Run (unless ``request.train`` is off) and render paper vs. ganbench."""


KINDS: Registry[type[SuiteKind[Any]]] = Registry("suite kind")


def file_digest(path: Path) -> str:
    """The 16-hex-digit content hash of a suite file (stored in records' reports)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]

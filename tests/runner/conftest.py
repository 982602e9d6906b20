"""Runner fixtures: a fake executor that returns records without training."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ganbench.config import load_suite
from ganbench.record import SCHEMA, config_run_id
from ganbench.runner import sweep
from ganbench.runner.tasks import Outcome, Task

ROOT = Path(__file__).resolve().parents[2]

SMALL_SUITE = """
name: small
seeds: [0, 1, 2]
datasets: [ring]
objectives: [nonsaturating, wgan-gp]
architectures:
  - {{name: mlp, params: {{depth: 1, width: 8}}}}
train: {{steps: {steps}, batch_size: 16, log_every: 5}}
eval: {{n_samples: 50, keep_samples: 5}}
"""


def _record(
    run_id: str, suite: str, coords: Any, config: Any, fields: dict[str, Any]
) -> dict[str, Any]:
    """A record dict made by hand (tests may; the package builds them in ganbench.record)."""
    head = {"schema": SCHEMA, "run_id": run_id, "suite": suite, "environment": {}}
    return {**head, "coords": dict(coords), "config": dict(config), "metrics": {}, **fields}


def fake_record(cell: Any, status: str = "ok", **fields: Any) -> dict[str, Any]:
    """A valid record of ``cell`` (what the store trusts) without training; ``fields`` added."""
    return _record(
        cell.run_id, cell.suite, cell.coords, cell.resolved(), {"status": status, **fields}
    )


def plain_record(config: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A valid record of a made-up cell whose resolved config is ``config``."""
    config = {"x": 1} if config is None else config
    return _record(config_run_id(config), "s", {"seed": 0}, config, {"status": "ok", **fields})


class FakeExecutor:
    """Finishes tasks at the next poll; ``fail(task) -> error | None`` decides failures."""

    name = "fake"

    def __init__(self, slots: int = 2, fail: Callable[[Task], str | None] | None = None) -> None:
        self.slots, self.fail = slots, fail
        self.queued: list[Task] = []
        self.submitted: list[list[str]] = []
        self.closed = False
        self.before_poll: Callable[[], None] | None = None

    def capacity(self) -> int:
        return self.slots - len(self.queued)

    def submit(self, task: Task) -> None:
        self.submitted.append([c.run_id for c in task.cells])
        self.queued.append(task)

    def poll(self, timeout: float) -> list[Outcome]:
        if self.before_poll is not None:
            self.before_poll()
        out = []
        for task in self.queued:
            error = self.fail(task) if self.fail else None
            if error:
                out.append(Outcome(task, error=error))
            else:
                out.append(Outcome(task, records=[fake_record(c) for c in task.cells]))
        self.queued = []
        return out

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def small_suite(write_suite):
    """Six cells (two ensembles of three seeds) of a tiny MLP; ``steps`` can be set."""

    def _make(steps: int = 10, name: str = "small.yaml"):
        return load_suite(write_suite(SMALL_SUITE.format(steps=steps), name))

    return _make


@pytest.fixture
def fake_executor(monkeypatch):
    """Install a :class:`FakeExecutor` as the backend of ``run_suite``."""

    def _install(**kw: Any) -> FakeExecutor:
        fake = FakeExecutor(**kw)
        monkeypatch.setattr(sweep, "_make_executor", lambda *a, **k: fake)
        return fake

    return _install


def cli_env() -> dict[str, str]:
    """Environment for ``python -m ganbench`` subprocesses that import this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def cli(*args: str) -> list[str]:
    """Argument vector of ``python -m ganbench ARGS``."""
    return [sys.executable, "-m", "ganbench", *args]

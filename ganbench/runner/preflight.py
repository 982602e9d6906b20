"""Checks made before anything is written: build every component of a suite once.

``ganbench validate`` and ``ganbench run`` both call :func:`preflight`, so a
suite that ``validate`` accepts does not fail on a parameter later, and a
rejected suite never leaves a results folder behind. Whatever a builder raises
(``ValueError`` for a bad parameter, ``RuntimeError``/``MemoryError`` for an
impossible size, ...) becomes one :class:`~ganbench.errors.ConfigError` line
naming the component.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.architectures.base import ModelContext
from ganbench.axes import ComponentSpec
from ganbench.config import Cell, Suite, build_component
from ganbench.datasets import DATASETS
from ganbench.datasets.base import Dataset
from ganbench.errors import ConfigError, GanbenchError
from ganbench.limits import check_memory
from ganbench.objectives import OBJECTIVES

log = logging.getLogger(__name__)


def _guarded(where: str, label: str, make: Callable[[], Any]) -> Any:
    try:
        return make()
    except GanbenchError as exc:
        msg = str(exc)
        if msg.startswith(where):
            raise
        named = msg.startswith((f"{label}:", f"{label} "))  # e.g. "cifar10 not found …"
        raise type(exc)(f"{where}: {msg}" if named else f"{where}: {label}: {msg}") from None
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ConfigError(
            f"{where}: {label}: cannot be built ({type(exc).__name__}: {first})"
        ) from None


def build_dataset(spec: ComponentSpec, where: str = "datasets") -> Dataset:
    """Instantiate one dataset spec; any failure is a one-line :class:`ConfigError`."""
    return _guarded(where, spec.label, lambda: build_component(spec, DATASETS, where))


def build_datasets(suite: Suite) -> dict[str, Dataset]:
    """Instantiate every dataset of the suite once, keyed by label."""
    return {
        spec.label: build_dataset(spec, f"{suite.path}: datasets[{i}]")
        for i, spec in enumerate(suite.datasets)
    }


def datasets_for(cells: Iterable[Cell]) -> dict[str, Dataset]:
    """The datasets the given cells use (for a worker that has only its cells)."""
    out: dict[str, Dataset] = {}
    for cell in cells:
        if cell.dataset.label not in out:
            out[cell.dataset.label] = build_dataset(cell.dataset)
    return out


def preflight(suite: Suite) -> dict[str, Dataset]:
    """Build every dataset, objective and architecture of ``suite`` once; return the datasets.

    Architectures are built for a single member at each dataset shape and
    latent size they meet in the suite (on CPU; nothing is trained). With
    ``eval.track_every`` on, the tracked metric must apply to every dataset.
    """
    where = str(suite.path)
    datasets = build_datasets(suite)
    if suite.eval.track_every > 0:  # the tracked metric must apply to every dataset
        from ganbench.runner.tracking import tracked_metric

        for spec in suite.datasets:
            try:
                tracked_metric(suite.eval, datasets[spec.label], spec.label)
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
    for i, spec in enumerate(suite.objectives):
        w = f"{where}: objectives[{i}]"
        _guarded(w, spec.label, functools.partial(_build_objective, spec, w))
    seen: set[tuple[str, tuple[int, ...], int]] = set()
    members = len(suite.seeds)  # the seeds of an entry train (and sample) as one ensemble
    for cell in suite.cells():
        every, log_every = cell.eval.track_every, cell.train.log_every
        if every > 0 and every % log_every:  # the tracker is the loop's on_log hook
            raise ConfigError(
                f"{where}: eval.track_every {every} is not a multiple of train.log_every "
                f"{log_every} ({cell.dataset.label}, {cell.variant or 'no variant'}): quality "
                "is tracked at log steps only, so use a multiple of log_every"
            )
        shape = tuple(datasets[cell.dataset.label].shape)
        check_memory(
            shape,
            members * max(cell.eval.n_samples, cell.eval.track_samples),
            members * cell.train.batch_size * cell.train.pack,
            f"{where}: {cell.dataset.label} × {cell.objective.label} ({members} seeds)",
        )
        key = (cell.architecture.label, shape, cell.train.z_dim)
        if key in seen:
            continue
        seen.add(key)
        ctx = ModelContext(data_shape=shape, z_dim=cell.train.z_dim)
        spec = cell.architecture
        _guarded(
            f"{where}: architectures",
            f"{spec.label} on {cell.dataset.label}",
            functools.partial(_build_architecture, spec, ctx),
        )
    return datasets


def _build_objective(spec: ComponentSpec, where: str) -> Any:
    return build_component(spec, OBJECTIVES, where)  # type: ignore[arg-type]


def _build_architecture(spec: ComponentSpec, ctx: ModelContext) -> None:
    with torch.no_grad():
        pair = ARCHITECTURES.get(spec.name)(ctx, **spec.params)
    del pair

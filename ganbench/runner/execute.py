"""Run one ensemble of cells: train, evaluate, build the records."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import torch

from ganbench import env
from ganbench.architectures import ARCHITECTURES
from ganbench.architectures.base import GANPair, ModelContext
from ganbench.architectures.conv import numerics
from ganbench.config import Cell, build_component
from ganbench.datasets.base import Dataset, dataset_facts
from ganbench.metrics.evaluate import evaluate_samples
from ganbench.objectives import OBJECTIVES
from ganbench.record import (
    RecordHead,
    RunRecord,
    failed_record,
    gan_record,
    with_image_extras,
    with_tracking,
)
from ganbench.runner import images, tracking
from ganbench.train.loop import Member, MemberResult, TrainedEnsemble, train_ensemble

log = logging.getLogger(__name__)


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def cell_head(cell: Cell, environment: Mapping[str, Any]) -> RecordHead:
    """Which run of which cell a record of ``cell`` is, and where it ran."""
    return RecordHead(cell.run_id, cell.suite, cell.coords, cell.resolved(), environment)


def cell_failed_record(
    cell: Cell,
    environment: Mapping[str, Any],
    exc: BaseException | str,
    started: str,
    tb: str = "",
) -> RunRecord:
    """A ``failed`` record of ``cell`` carrying the error text: failures are data.

    ``exc`` is the exception, or its text when it happened elsewhere (a worker
    process or a Ray task that died); ``tb`` is then its traceback text.
    """
    if isinstance(exc, BaseException):
        error = f"{type(exc).__name__}: {exc}"
        tb = "".join(traceback.format_exception(exc))
    else:
        error = exc
    return failed_record(
        cell_head(cell, environment),
        error=error,
        traceback_text=tb,
        started=started,
        finished=now_iso(),
    )


def _builder(cell: Cell) -> Callable[[ModelContext], GANPair]:
    spec = cell.architecture
    fn = ARCHITECTURES.get(spec.name)
    return lambda ctx: fn(ctx, **spec.params)


def _points(samples: torch.Tensor, keep: int) -> list[list[float]] | None:
    if samples.ndim != 2 or keep == 0:
        return None
    return [[round(float(v), 5) for v in row] for row in samples[:keep]]


class DataError(ValueError):
    """A dataset yields values a model cannot be trained on (NaN or ±inf)."""


def _check_finite_data(members: Sequence[Member], n: int = 512) -> None:
    """Non-finite data is a data error (a ``failed`` cell), not a ``diverged`` training run."""
    seen: set[int] = set()
    for m in members:
        if id(m.dataset) in seen:
            continue
        seen.add(id(m.dataset))
        x = m.dataset.sample(n, torch.Generator().manual_seed(0))
        if not torch.isfinite(x).all():
            bad = int((~torch.isfinite(x)).sum())
            raise DataError(
                f"dataset {type(m.dataset).__name__} yields non-finite values "
                f"({bad} NaN or ±inf among {x.numel()} values of {n} points)"
            )


def run_group(
    cells: Sequence[Cell],
    datasets: Mapping[str, Dataset],
    device: torch.device,
    progress: Callable[[int], None] | None = None,
) -> list[RunRecord]:
    """Train the ensemble of ``cells`` and return one record per cell (in order).

    ``progress(steps_done)`` is called every ``log_every`` steps. Errors in
    training or evaluation become ``failed`` records; nothing is written here:
    image runs carry their sample grid and generator checkpoint as bytes under
    the record's transient ``_files`` key, which the driver writes (so workers
    need no shared file system).
    """
    started = now_iso()
    environment = env.environment(device)
    first = cells[0]
    t0 = time.perf_counter()
    members = [Member(c.seed, datasets[c.dataset.label]) for c in cells]
    try:
        tracker = tracking.make_tracker(
            first.eval, [m.dataset for m in members], [c.seed for c in cells]
        )
        _check_finite_data(members)
        objs = [build_component(c.objective, OBJECTIVES, "objective") for c in cells]
        trained = train_ensemble(
            objs, _builder(first), first.train, members, device, progress, tracker
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        log.error("training %s × %d failed: %s", first.objective.label, len(cells), exc)
        return [cell_failed_record(c, environment, exc, started) for c in cells]
    run = _GroupRun(trained, datasets, device, environment, started, time.perf_counter() - t0)
    samples = trained.sample(first.eval.n_samples)
    records = [run.member_record(cell, i, samples[i]) for i, cell in enumerate(cells)]
    if tracker is not None:
        records = [
            with_tracking(rec, eval_curves=tracker.curves(i), tracking=tracker.protocol(i))
            for i, rec in enumerate(records)
        ]
    if images.is_image_run(members[0].dataset):
        records = [
            _image_extras(rec, cell, i, trained, device)
            for i, (cell, rec) in enumerate(zip(cells, records, strict=True))
        ]
    return records


def _image_extras(
    rec: RunRecord, cell: Cell, index: int, trained: TrainedEnsemble, device: torch.device
) -> RunRecord:
    """``rec`` with the numerics, sample grid and checkpoint of an image run."""
    saved: dict[str, Any] | None = None
    files: dict[str, bytes] | None = None
    if rec["status"] != "failed":
        saved, files = images.artifact_files(trained, index, cell.run_id)
    return with_image_extras(rec, numerics=numerics(device), artifacts=saved, files=files)


@dataclass(frozen=True)
class _GroupRun:
    """What the records of one trained ensemble share."""

    trained: TrainedEnsemble
    datasets: Mapping[str, Dataset]
    device: torch.device
    environment: dict[str, Any]
    started: str
    train_s: float  # the ensemble's training time

    def member_record(self, cell: Cell, index: int, samples: torch.Tensor) -> RunRecord:
        """Evaluate member ``index``'s samples and build its record (``failed`` if that raises)."""
        result: MemberResult = self.trained.results[index]
        dataset = self.datasets[cell.dataset.label]
        t0 = time.perf_counter()
        metrics: dict[str, Any] = {}
        try:
            if result.status == "ok":
                metrics = evaluate_samples(
                    dataset, samples, cell.eval, seed=cell.seed, device=self.device
                )
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            return cell_failed_record(cell, self.environment, exc, self.started)
        return gan_record(
            cell_head(cell, self.environment),
            status=result.status,
            error=result.error,
            diverged_step=result.diverged_step,
            metrics=metrics,
            curves=result.curves,
            points=_points(samples, cell.eval.keep_samples),
            generator="ema" if cell.train.ema is not None else "final",
            n_samples=cell.eval.n_samples,
            started=self.started,
            finished=now_iso(),
            train_ensemble_s=self.train_s,
            ensemble_size=len(self.trained.members),
            eval_s=time.perf_counter() - t0,
            data=dataset_facts(dataset),
        )

"""Run one ensemble of cells: train, evaluate, build the records."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
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
from ganbench.record import failure_fields, new_record
from ganbench.runner import images
from ganbench.train.loop import Member, MemberResult, TrainedEnsemble, train_ensemble

log = logging.getLogger(__name__)


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def base_record(cell: Cell, device: torch.device) -> dict[str, Any]:
    """The fields every record has, before outcome and metrics."""
    return new_record(
        cell.run_id, cell.suite, cell.coords, cell.resolved(), env.environment(device)
    )


def failed_record(
    cell: Cell, device: torch.device, exc: BaseException | str, started: str, tb: str = ""
) -> dict[str, Any]:
    """A ``failed`` record carrying the error text: failures are data.

    ``exc`` is the exception, or its text when it happened elsewhere (a worker
    process or a Ray task that died); ``tb`` is then its traceback text.
    """
    rec = base_record(cell, device)
    if isinstance(exc, BaseException):
        error = f"{type(exc).__name__}: {exc}"
        tb = "".join(traceback.format_exception(exc))
    else:
        error = exc
    rec.update(failure_fields(error, tb, started, now_iso()))
    return rec


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
) -> list[dict[str, Any]]:
    """Train the ensemble of ``cells`` and return one record per cell (in order).

    ``progress(steps_done)`` is called every ``log_every`` steps. Errors in
    training or evaluation become ``failed`` records; nothing is written here:
    image runs carry their sample grid and generator checkpoint as bytes under
    the record's transient ``_files`` key, which the driver writes (so workers
    need no shared file system).
    """
    started = now_iso()
    first = cells[0]
    t0 = time.perf_counter()
    members = [Member(c.seed, datasets[c.dataset.label]) for c in cells]
    tracker = images.make_tracker(first.eval, [m.dataset for m in members], [c.seed for c in cells])
    try:
        _check_finite_data(members)
        objs = [build_component(c.objective, OBJECTIVES, "objective") for c in cells]
        trained = train_ensemble(
            objs, _builder(first), first.train, members, device, progress, tracker
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        log.error("training %s × %d failed: %s", first.objective.label, len(cells), exc)
        return [failed_record(c, device, exc, started) for c in cells]
    train_s = time.perf_counter() - t0
    samples = trained.sample(first.eval.n_samples)
    records = [
        _member_record(cell, i, trained, samples[i], datasets, device, started, train_s)
        for i, cell in enumerate(cells)
    ]
    if images.is_image_run(members[0].dataset):
        for i, (cell, rec) in enumerate(zip(cells, records, strict=True)):
            _add_image_extras(rec, cell, i, trained, tracker, device)
    return records


def _add_image_extras(
    rec: dict[str, Any],
    cell: Cell,
    index: int,
    trained: TrainedEnsemble,
    tracker: images.QualityTracker | None,
    device: torch.device,
) -> None:
    """Numerics, quality-over-training curve, sample grid and checkpoint of an image run."""
    rec["numerics"] = numerics(device)
    if tracker is not None and rec.get("curves") is not None:
        rec["curves"]["eval"] = tracker.curves(index)
        rec["tracking"] = tracker.protocol()
    if rec["status"] == "failed":
        return
    saved, files = images.artifact_files(trained, index, cell.run_id)
    rec["artifacts"] = saved
    rec["_files"] = files
    rec.setdefault("samples", {})["grid"] = saved["grid"]


def _member_record(
    cell: Cell,
    index: int,
    trained: TrainedEnsemble,
    samples: torch.Tensor,
    datasets: Mapping[str, Dataset],
    device: torch.device,
    started: str,
    train_s: float,
) -> dict[str, Any]:
    result: MemberResult = trained.results[index]
    rec = base_record(cell, device)
    t0 = time.perf_counter()
    metrics: dict[str, Any] = {}
    try:
        if result.status == "ok":
            metrics = evaluate_samples(
                datasets[cell.dataset.label], samples, cell.eval, seed=cell.seed, device=device
            )
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        return failed_record(cell, device, exc, started)
    e = len(trained.members)
    if facts := dataset_facts(datasets[cell.dataset.label]):
        rec["data"] = facts
    rec.update(
        status=result.status,
        error=result.error,
        diverged_step=result.diverged_step,
        metrics=metrics,
        curves=result.curves,
        samples={"points": _points(samples, cell.eval.keep_samples)}
        if result.status == "ok"
        else {},
        evaluation={
            "generator": "ema" if cell.train.ema is not None else "final",
            "n_samples": cell.eval.n_samples,
        },
        timing={
            "started": started,
            "finished": now_iso(),
            "train_s": round(train_s / e, 3),
            "train_ensemble_s": round(train_s, 3),
            "ensemble_size": e,
            "eval_s": round(time.perf_counter() - t0, 3),
        },
    )
    return rec

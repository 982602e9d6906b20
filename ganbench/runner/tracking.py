"""Quality over training: a metric evaluated every ``eval.track_every`` steps, for any dataset.

:class:`QualityTracker` is the training loop's ``on_log`` hook: at step 0,
every ``eval.track_every`` steps and at the last step it draws
``eval.track_samples`` samples per member from fixed latents (stream
``"track"`` of each seed, never the training streams, so tracking does not
change a single training number), evaluates the tracked metric on them and
restores the generator's train/eval mode (batch norm) afterwards. The record
stores the series under ``curves["eval"]`` with its own ``step`` list, and how
it was measured under ``tracking`` (:func:`ganbench.record.with_tracking`).

Which metric is tracked (:func:`tracked_metric`): ``eval.track_metric`` where
it applies to the dataset. Its default, ``classifier_fid``, needs labelled
images; where it does not apply the default stands for the first of
:data:`DEFAULT_TRACKED` that does (``hq`` on 2-D and high-dimensional
mixtures), so a mixture suite only sets ``track_every``. A metric that the suite
names and that does not apply is a :class:`~ganbench.errors.ConfigError`
(checked by :func:`ganbench.runner.preflight.preflight` before anything runs).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from ganbench.datasets.base import Dataset
from ganbench.errors import ConfigError
from ganbench.metrics import METRICS
from ganbench.metrics.base import EvalContext, MetricSpec
from ganbench.metrics.config import EvalConfig
from ganbench.train.loop import TrainedEnsemble

log = logging.getLogger(__name__)

TRACK_STREAM = "track"
# tried in order when ``track_metric`` is its default and that does not apply
DEFAULT_TRACKED = ("classifier_fid", "hq")


def tracked_metric(cfg: EvalConfig, dataset: Dataset, label: str = "") -> MetricSpec:
    """The metric tracked on ``dataset``: ``cfg.track_metric``, or the dataset's default.

    Raises :class:`ConfigError` (one line naming the metrics that do apply) when
    a metric the suite chose does not apply, or no default does.
    """
    spec = METRICS.get(cfg.track_metric)
    if spec.applies_to(dataset):
        return spec
    name = label or type(dataset).__name__
    valid = ", ".join(m for m in METRICS.names() if METRICS.get(m).applies_to(dataset))
    if cfg.track_metric == EvalConfig.track_metric:
        for fallback in DEFAULT_TRACKED:
            if fallback in METRICS and METRICS.get(fallback).applies_to(dataset):
                return METRICS.get(fallback)
        raise ConfigError(
            f"eval.track_metric: no default tracked metric applies to dataset {name!r}; "
            f"set one of: {valid or 'none'}"
        )
    raise ConfigError(
        f"eval.track_metric: {cfg.track_metric!r} does not apply to dataset {name!r} "
        f"(metrics that do: {valid or 'none'})"
    )


class QualityTracker:
    """Periodic evaluation of each member's tracked metric over an ensemble's training."""

    def __init__(self, cfg: EvalConfig, datasets: Sequence[Dataset], seeds: Sequence[int]):
        self.cfg, self.datasets, self.seeds = cfg, list(datasets), list(seeds)
        self.specs = [tracked_metric(cfg, ds) for ds in self.datasets]
        self.steps: list[int] = []
        self.values: list[list[float]] = [[] for _ in self.datasets]
        self.last_step = -1

    def due(self, step: int, total: int) -> bool:
        """Evaluate at step 0, every ``track_every`` steps, and at the last step."""
        return step == 0 or step % self.cfg.track_every == 0 or step == total

    def __call__(self, step: int, state: TrainedEnsemble) -> None:
        """The ``on_log`` hook."""
        if step == self.last_step or not self.due(step, state.train.steps):
            return
        self.last_step = step
        was_training = state.generator.training
        try:
            samples = state.sample(self.cfg.track_samples, stream=TRACK_STREAM)
        finally:
            state.generator.train(was_training)
        self.steps.append(step)
        for i, (ds, seed, spec) in enumerate(
            zip(self.datasets, self.seeds, self.specs, strict=True)
        ):
            ctx = EvalContext(ds, samples[i], seed, state.device, options=dict(self.cfg.options))
            try:
                value = float(spec.compute(ctx).value)
            except Exception as exc:  # tracking never stops training
                log.warning("tracking %s at step %d failed: %s", spec.name, step, exc)
                value = math.nan
            self.values[i].append(value)

    def curves(self, index: int) -> dict[str, list[float]]:
        """``{"step": [...], <metric>: [...]}`` of member ``index``."""
        return {"step": list(self.steps), self.specs[index].name: list(self.values[index])}

    def protocol(self, index: int = 0) -> dict[str, Any]:
        """How member ``index``'s series was measured (stored beside it in the record)."""
        return {
            "metric": self.specs[index].name,
            "n_fake": self.cfg.track_samples,
            "every": self.cfg.track_every,
            "latents": f"fixed per seed (stream {TRACK_STREAM!r})",
            "options": dict(self.cfg.options),
        }


def make_tracker(
    cfg: EvalConfig, datasets: Sequence[Dataset], seeds: Sequence[int]
) -> QualityTracker | None:
    """A tracker for an ensemble on any datasets when ``track_every`` > 0, else ``None``."""
    if cfg.track_every <= 0:
        return None
    return QualityTracker(cfg, datasets, seeds)

"""Evaluate one run's samples with the metrics a suite asks for."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import torch

from ganbench.datasets.base import Dataset
from ganbench.metrics.base import METRICS, EvalContext, MetricSpec, dataset_capabilities
from ganbench.metrics.config import EvalConfig

log = logging.getLogger(__name__)


def selected_metrics(dataset: Dataset, cfg: EvalConfig) -> list[MetricSpec]:
    """The metric specs to compute: the suite's list, or every applicable default metric."""
    if cfg.metrics is not None:
        return [METRICS.get(n) for n in cfg.metrics]
    return [e.obj for e in METRICS.entries() if e.obj.default and e.obj.applies_to(dataset)]


def evaluate_samples(
    dataset: Dataset,
    samples: torch.Tensor,
    cfg: EvalConfig,
    *,
    seed: int,
    device: torch.device,
    sample_fn: Callable[[int], torch.Tensor] | None = None,
    real_source: Callable[[Any], Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Metric name → ``{value, higher_is_better, version, protocol, note?, error?}``.

    A metric that does not apply to the dataset is recorded as skipped with the
    reason; one that raises is recorded with its error, and the others go on.
    ``real_source`` overrides where the real features come from (see
    :class:`EvalContext`).
    """
    ctx = EvalContext(
        dataset,
        samples,
        seed,
        device,
        sample_fn,
        options=dict(cfg.options),
        real_source=real_source,
    )
    out: dict[str, dict[str, Any]] = {}
    caps = sorted(dataset_capabilities(dataset))
    for spec in selected_metrics(dataset, cfg):
        entry: dict[str, Any] = {
            "higher_is_better": spec.higher_is_better,
            "version": spec.version,
        }
        if not spec.applies_to(dataset):
            need = ", ".join(sorted(spec.requires))
            entry.update(value=math.nan, skipped=f"needs {need}; dataset has {', '.join(caps)}")
        else:
            try:
                res = spec.compute(ctx)
            except Exception as exc:
                log.warning("metric %s failed: %s", spec.name, exc)
                entry.update(value=math.nan, error=f"{type(exc).__name__}: {exc}")
            else:
                entry.update(value=float(res.value), protocol=res.protocol)
                if res.note:
                    entry["note"] = res.note
        out[spec.name] = entry
    return out

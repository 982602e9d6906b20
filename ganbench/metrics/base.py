"""Metric registry and evaluation context.

Metrics are pure math (tensors in, floats out) plus a thin registered wrapper
that pulls what it needs from an :class:`EvalContext`. Each registered metric
carries a :class:`MetricSpec` record: direction, requirements, version and a
one-line description, so the sweep and the report never change when a metric
is added. A wrapper returns a :class:`MetricResult` whose ``protocol`` is
stored beside the value in the run record.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from ganbench.datasets.base import Dataset
from ganbench.registry import Registry


@dataclass
class MetricResult:
    """A metric value with the protocol that produced it (``value`` may be NaN with a ``note``)."""

    value: float
    protocol: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


@dataclass
class EvalContext:
    """Everything a metric may need for one run.

    ``samples`` are the generator's evaluation samples (CPU, float32,
    ``(n, *shape)``); ``sample_fn(n)`` draws more from the same generator when a
    metric needs a different count; ``cache`` shares work between metrics of one
    run (e.g. ``modes``, ``hq`` and ``reverse_kl`` share one assignment);
    ``options`` is the suite's ``eval.options`` mapping (validated against
    :class:`ganbench.metrics.options.SampleQualityOptions` at suite load);
    ``real_source(extractor)``, when set, supplies the real reference's features
    and statistics instead of the dataset's images (a statistics file).
    """

    dataset: Dataset
    samples: torch.Tensor
    seed: int
    device: torch.device
    sample_fn: Callable[[int], torch.Tensor] | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    real_source: Callable[[Any], Any] | None = None

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        """Compute ``fn()`` once per run under ``key``."""
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]


@dataclass(frozen=True)
class MetricSpec:
    """The registry record of a metric."""

    name: str
    higher_is_better: bool
    requires: frozenset[str]
    version: str
    description: str
    compute: Callable[[EvalContext], MetricResult]
    default: bool = True  # computed when a suite does not list its metrics

    def applies_to(self, dataset: Dataset) -> bool:
        """Whether ``dataset`` offers every capability this metric requires."""
        return self.requires <= dataset_capabilities(dataset)


METRICS: Registry[MetricSpec] = Registry("metric")


def dataset_capabilities(dataset: Dataset) -> frozenset[str]:
    """Capabilities of a dataset: its kind, ``labels``, ``mixture`` (known density/modes)."""
    caps = {dataset.kind}
    if dataset.n_classes is not None:
        caps.add("labels")
    caps.update(getattr(dataset, "capabilities", ()))
    return frozenset(caps)


def register_metric(
    name: str,
    *,
    higher_is_better: bool,
    requires: set[str] | frozenset[str],
    version: str,
    description: str,
    default: bool = True,
) -> Callable[[Callable[[EvalContext], MetricResult]], Callable[[EvalContext], MetricResult]]:
    """Decorator registering a context → :class:`MetricResult` function as a metric.

    ``default=False`` keeps an expensive metric out of suites that do not ask for it.
    """

    def decorator(
        fn: Callable[[EvalContext], MetricResult],
    ) -> Callable[[EvalContext], MetricResult]:
        spec = MetricSpec(
            name, higher_is_better, frozenset(requires), version, description, fn, default
        )
        METRICS.add(name, spec, description=description)
        return fn

    return decorator


def finite_or_nan(x: float) -> float:
    """``x`` as a float, with ±inf kept and anything non-numeric as NaN."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan

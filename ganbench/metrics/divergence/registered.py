"""Divergences between a run's data and generator samples, as registered metrics.

p is the data and q the generator, so ``div_kl_*`` = KL(data‖generator)
(large when the generator misses data modes, reported as +inf when it drops
them) and ``div_reverse_kl_*`` = KL(generator‖data) (large when it puts mass
off the data). The data side is a fresh sample of the same size as the
generator's, drawn from the run's seed on its own stream, so every number is
reproducible from the record. Metrics of one method share one fit per run
(the ``ratio`` metrics share one set of classifiers, the ``binned`` ones one
histogram).

Defaults (computed when a suite lists no metrics) are the cheap ones:
``div_kl_knn``, ``div_reverse_kl_knn``, ``mmd`` and, on mixtures,
``div_js_binned`` — well under a second per run at n = 2500 on the 2-D
suites (docs/divergences.md has the measured times). The density-ratio and
f-GAN metrics train classifiers (seconds per run, and they do not resolve
the 0.01-wide ring modes at n = 2500), and exact OT costs 1–3 s per run:
they are opt-in (``eval.metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ganbench.metrics.base import EvalContext, MetricResult, register_metric
from ganbench.metrics.divergence.api import estimate_divergences
from ganbench.metrics.divergence.base import DivergenceEstimate
from ganbench.rng import generator

REAL_STREAM = "divergence_real"
RATIO_DIVERGENCES = ("kl", "reverse_kl", "js", "hellinger", "tv", "pearson")
RATIO_OPTIONS: dict[str, Any] = {"max_epochs": 150, "patience": 10}
MMD_OPTIONS: dict[str, Any] = {"bandwidth": "median", "permutations": 50}
BINNED_DIVERGENCES = ("kl", "reverse_kl", "js", "tv")


def real_points(ctx: EvalContext) -> np.ndarray:
    """A data sample as large as the generator sample (cached per run)."""

    def draw() -> np.ndarray:
        n = int(ctx.samples.shape[0])
        x = ctx.dataset.sample(n, generator(ctx.seed, REAL_STREAM))
        return x.reshape(n, -1).double().numpy()

    return ctx.cached(REAL_STREAM, draw)


def fake_points(ctx: EvalContext) -> np.ndarray:
    """The generator sample as float64 (n, d)."""
    return ctx.samples.reshape(ctx.samples.shape[0], -1).double().cpu().numpy()


def _shared(
    ctx: EvalContext, method: str, divergences: tuple[str, ...], options: dict[str, Any]
) -> dict[str, DivergenceEstimate]:
    def fit() -> dict[str, DivergenceEstimate]:
        p = ctx.dataset if method == "binned" else real_points(ctx)
        return estimate_divergences(p, fake_points(ctx), divergences, method, ctx.seed, **options)

    return ctx.cached(f"divergence:{method}:{','.join(divergences)}", fit)


def to_result(est: DivergenceEstimate, options: dict[str, Any]) -> MetricResult:
    """A :class:`MetricResult` carrying the estimate's stderr, options and details."""
    protocol: dict[str, Any] = {
        "p": "data (fresh sample, stream 'divergence_real')",
        "q": "generator",
        **est.to_dict(),
        "options": dict(options),
    }
    return MetricResult(est.value, protocol, "; ".join(est.notes) or None)


@dataclass(frozen=True)
class DivergenceMetric:
    """How one registered divergence metric is computed."""

    name: str
    divergence: str
    method: str
    default: bool
    description: str
    group: tuple[str, ...] = ()  # divergences computed together (one shared fit)
    options: dict[str, Any] = field(default_factory=dict)
    requires: frozenset[str] = frozenset({"points"})
    version: str = "1"  # bumped when the metric's meaning or values change

    def compute(self, ctx: EvalContext) -> MetricResult:
        """The metric for one run."""
        group = self.group or (self.divergence,)
        return to_result(
            _shared(ctx, self.method, group, self.options)[self.divergence], self.options
        )


_KL, _RKL = "KL(data||generator)", "KL(generator||data)"
_CELLS = "analytic mixture cell masses vs generator (mode x 1/2/3-std shells + far cell)"
_OT = "distance by exact optimal transport (POT; mean over 3 subsamples of 5000 above that)"
_SLICED = "over 256 random directions (a lower bound on W, not W)"


def _ratio(name: str, divergence: str, text: str) -> DivergenceMetric:
    return DivergenceMetric(
        name,
        divergence,
        "ratio",
        False,
        f"{text} by the density-ratio trick",
        RATIO_DIVERGENCES,
        RATIO_OPTIONS,
        version="2",  # 2: quadratic part in the classifier (issue 12)
    )


def _binned(name: str, divergence: str, default: bool, text: str) -> DivergenceMetric:
    return DivergenceMetric(
        name,
        divergence,
        "binned",
        default,
        f"{text}, {_CELLS}",
        BINNED_DIVERGENCES,
        requires=frozenset({"mixture"}),
    )


REGISTERED = (
    _ratio("div_kl_ratio", "kl", _KL),
    _ratio("div_reverse_kl_ratio", "reverse_kl", _RKL),
    _ratio("div_js_ratio", "js", "Jensen-Shannon (nats, <= log 2)"),
    _ratio("div_hellinger_ratio", "hellinger", "Squared Hellinger 1 - BC"),
    _ratio("div_tv_ratio", "tv", "Total variation"),
    _ratio("div_pearson_ratio", "pearson", "Pearson chi2(data||generator)"),
    DivergenceMetric(
        "div_kl_knn",
        "kl",
        "knn",
        True,
        f"{_KL} by 1-NN distances (Wang et al. 2009)",
        options={"k": 1},
    ),
    DivergenceMetric(
        "div_reverse_kl_knn",
        "reverse_kl",
        "knn",
        True,
        f"{_RKL} by 1-NN distances (Wang et al. 2009)",
        options={"k": 1},
    ),
    DivergenceMetric(
        "div_js_variational",
        "js",
        "variational",
        False,
        "Held-out f-GAN lower bound on JS (Nowozin et al. 2016)",
        options=RATIO_OPTIONS,
        version="2",  # 2: critic clamped at evaluation as in training (issue 12)
    ),
    DivergenceMetric(
        "div_kl_variational",
        "kl",
        "variational",
        False,
        f"Held-out f-GAN lower bound on {_KL}",
        options=RATIO_OPTIONS,
        version="2",  # 2: critic clamped at evaluation as in training (issue 12)
    ),
    DivergenceMetric(
        "mmd",
        "mmd",
        "mmd",
        True,
        "Unbiased MMD^2, RBF kernel at the median distance (permutation p-value)",
        options=MMD_OPTIONS,
    ),
    # version 2: exact at every n (version 1 silently switched to sliced above n = 5000)
    DivergenceMetric("w1", "w1", "ot", False, f"W1 {_OT}", version="2"),
    DivergenceMetric("w2", "w2", "ot", False, f"W2 {_OT}", version="2"),
    DivergenceMetric("sliced_w1", "w1", "sliced", False, f"Sliced W1 {_SLICED}"),
    DivergenceMetric("sliced_w2", "w2", "sliced", False, f"Sliced W2 {_SLICED}"),
    _binned("div_kl_binned", "kl", False, _KL),
    _binned("div_reverse_kl_binned", "reverse_kl", False, _RKL),
    _binned("div_js_binned", "js", True, "Jensen-Shannon"),
    _binned("div_tv_binned", "tv", False, "Total variation"),
)

for _m in REGISTERED:
    register_metric(
        _m.name,
        higher_is_better=False,
        requires=_m.requires,
        version=_m.version,
        description=_m.description,
        default=_m.default,
    )(_m.compute)

"""Mode coverage on stacked image sets (Stacked MNIST protocol; VEEGAN, PacGAN).

Each channel of a generated sample is classified by the base set's domain
classifier; the class triple is the sample's mode (1000 modes for three
10-class channels). Reported, with the classifier's test accuracy beside them:

* ``stacked_modes``: modes with at least one sample (max k³);
* ``stacked_kl``: KL(p̂ ‖ U) = Σ p̂ log(k³ p̂) of the empirical mode histogram
  against the uniform distribution, in nats (VEEGAN's and PacGAN's KL).

Calibration (REFERENCES.md): for N draws from a perfect sampler,
E[KL(p̂ ‖ U)] ≈ (K − 1)/(2N): 0.0193 for K = 1000, N = 26,000; all modes are
covered with probability ≈ 1. A classifier that is not perfect adds its own
bias: real data then gives KL ≈ KL(π³ ‖ U) + (K − 1)/(2N), where π is the
classifier's predicted class distribution on real images.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from ganbench.datasets.images import ImageDataset, to_uint8
from ganbench.datasets.stacked import StackedDataset
from ganbench.metrics.base import EvalContext, MetricResult, register_metric
from ganbench.metrics.classifier import domain_classifier
from ganbench.metrics.options import resolve_options

Classify = Callable[[torch.Tensor], torch.Tensor]
SOURCE = (
    "Stacked MNIST: Metz et al. 2017; VEEGAN (Srivastava et al. 2017); PacGAN (Lin et al. 2018)"
)


@dataclass(frozen=True)
class StackedModeStats:
    """Histogram of generated samples over the k^C channel-class modes."""

    counts: torch.Tensor  # (k**C,)
    n_samples: int
    modes: int
    kl: float  # KL(p̂ ‖ uniform) in nats


def kl_to_uniform(counts: torch.Tensor) -> float:
    """KL(p̂ ‖ U) = Σ p̂ log(K p̂) of a histogram over K bins (nats; 0·log 0 = 0)."""
    c = counts.to(torch.float64)
    total = float(c.sum())
    if total <= 0:
        return math.nan
    p = c[c > 0] / total
    return float((p * (p * len(counts)).log()).sum())


def multinomial_kl_floor(k: int, n: int) -> float:
    """E[KL(p̂ ‖ U)] ≈ (K − 1)/(2N) for N uniform draws over K bins (a perfect sampler)."""
    return (k - 1) / (2 * n)


def stacked_mode_statistics(images: torch.Tensor, classify: Classify, k: int) -> StackedModeStats:
    """Classify every channel of uint8 ``(N, C, H, W)`` images and histogram the k^C modes."""
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError("expected uint8 images of shape (N, C, H, W)")
    n, c, h, w = images.shape
    if n == 0:
        raise ValueError("stacked mode statistics need at least one sample")
    per_channel = classify(images.reshape(n * c, 1, h, w)).reshape(n, c).to(torch.int64)
    if int(per_channel.min()) < 0 or int(per_channel.max()) >= k:
        raise ValueError(f"the classifier returned labels outside [0, {k})")
    mode = torch.zeros(n, dtype=torch.int64)
    for j in range(c):  # base-k number, first channel most significant
        mode = mode * k + per_channel[:, j]
    counts = torch.bincount(mode, minlength=k**c)
    return StackedModeStats(counts, n, int((counts > 0).sum()), kl_to_uniform(counts))


def channel_classifier(
    base: ImageDataset, *, seed: int = 0, steps: int = 800
) -> tuple[Classify, dict[str, object]]:
    """The base set's domain classifier as a label function, with its protocol entries.

    The same cached classifier (:func:`ganbench.metrics.classifier.domain_classifier`,
    trained on the base set's training split) that ``classifier_fid`` and
    ``classifier_is`` use, so one training serves all three metrics.
    """
    if base.n_classes is None:
        raise ValueError(f"{base.name}: stacked mode metrics need a labelled base set")
    trained = domain_classifier(
        base.name,
        (base.images_uint8("train"), base.labels("train")),
        (base.images_uint8("test"), base.labels("test")),
        n_classes=base.n_classes,
        seed=seed,
        steps=steps,
    )

    @torch.inference_mode()
    def classify(images: torch.Tensor, batch: int = 2000) -> torch.Tensor:
        out = [trained.model(chunk)[1].argmax(1) for chunk in images.split(batch)]
        return torch.cat(out) if out else torch.empty(0, dtype=torch.int64)

    protocol: dict[str, object] = {
        "classifier": f"ganbench domain CNN v{trained.meta['version']} on {base.name} (train)",
        "classifier_test_accuracy": round(trained.test_accuracy, 4),
        "classifier_sha256": trained.sha256[:16],
        "classifier_steps": steps,
        "classifier_seed": seed,
    }
    return classify, protocol


def _channel_classifier(ctx: EvalContext) -> tuple[Classify, dict[str, object]]:
    opts = resolve_options(ctx.options)
    base = _dataset(ctx).base
    return ctx.cached(
        "stacked:classifier",
        lambda: channel_classifier(base, seed=opts.classifier_seed, steps=opts.classifier_steps),
    )


def _dataset(ctx: EvalContext) -> StackedDataset:
    ds = ctx.dataset
    if not isinstance(ds, StackedDataset):
        raise ValueError("stacked mode metrics need a stacked dataset")
    return ds


def _stats(ctx: EvalContext) -> StackedModeStats:
    ds = _dataset(ctx)
    classify, _ = _channel_classifier(ctx)
    return ctx.cached(
        "stacked_mode_stats",
        lambda: stacked_mode_statistics(to_uint8(ctx.samples), classify, ds.k),
    )


def _protocol(ctx: EvalContext) -> dict[str, object]:
    ds = _dataset(ctx)
    n = int(ctx.samples.shape[0])
    k = ds.n_classes or 0
    return {
        "n_fake": n,
        "n_modes": k,
        "kl_floor_perfect_sampler": round(multinomial_kl_floor(k, n), 5),
        **_channel_classifier(ctx)[1],
        "source": SOURCE,
    }


@register_metric(
    "stacked_modes",
    higher_is_better=True,
    requires={"stacked"},
    version="1",
    description="Stacked set: class-triple modes with >= 1 sample (of 1000; per-channel classes)",
)
def stacked_modes_metric(ctx: EvalContext) -> MetricResult:
    """Number of covered class-triple modes."""
    return MetricResult(float(_stats(ctx).modes), _protocol(ctx))


@register_metric(
    "stacked_kl",
    higher_is_better=False,
    requires={"stacked"},
    version="1",
    description="Stacked set: KL(p_hat || uniform) of the mode histogram, nats (floor (K-1)/2N)",
)
def stacked_kl_metric(ctx: EvalContext) -> MetricResult:
    """KL of the generated mode histogram against the uniform distribution."""
    return MetricResult(_stats(ctx).kl, _protocol(ctx))

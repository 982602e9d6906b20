"""Mode coverage on synthetic mixtures (VEEGAN / PacGAN protocol).

Each generated sample is assigned to the component with the smallest
std-normalised distance ‖x − μ_k‖/σ_k; it is *high quality* (HQ) when that
distance is below ``threshold`` (3 in VEEGAN and PacGAN's ``dis_thre=3``).

* ``modes``: components with at least one HQ sample (PacGAN "mode coverage").
* ``modes_fair10``: components with at least 10 % of their fair share
  (w_k · N) of HQ samples, a stricter count that one stray sample cannot pass.
* ``hq``: fraction of HQ samples.
* ``reverse_kl``: KL(p̂ ‖ w) of the normalised HQ histogram p̂ against the true
  weights w (for equal weights, log K − H(p̂), PacGAN's "reverse KL").
* ``log_likelihood``: mean log-density of the samples under the true mixture.

Calibration, for a *perfect* sampler (REFERENCES.md, "Calibration of the
mode metrics"): in 2-D, HQ = P(χ²₂ < 9) = 1 − e^{−4.5} ≈ 98.9 %, so published
98–99 % values sit at the ceiling; and E[KL(p̂ ‖ U)] ≈ (K − 1)/(2N) for N HQ
samples (0.0014 for K = 8, N = 2500), the multinomial floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ganbench.datasets.mixtures import GaussianMixture
from ganbench.metrics.base import EvalContext, MetricResult, register_metric


@dataclass(frozen=True)
class ModeStats:
    """Result of assigning samples to mixture components."""

    counts: torch.Tensor  # HQ samples per component, (K,)
    n_samples: int
    hq_fraction: float
    modes: int
    modes_fair10: int
    reverse_kl: float  # NaN when no sample is HQ


def mode_statistics(
    samples: torch.Tensor,
    means: torch.Tensor,
    stds: torch.Tensor,
    weights: torch.Tensor | None = None,
    threshold: float = 3.0,
) -> ModeStats:
    """Assign ``samples`` (N, d) to the nearest of ``means`` (K, d) in σ-normalised distance."""
    x = torch.as_tensor(samples, dtype=torch.float64).reshape(len(samples), -1)
    mu = torch.as_tensor(means, dtype=torch.float64)
    k = mu.shape[0]
    sd = torch.as_tensor(stds, dtype=torch.float64).expand(k)
    w = (
        torch.full((k,), 1.0 / k, dtype=torch.float64)
        if weights is None
        else torch.as_tensor(weights, dtype=torch.float64) / float(torch.as_tensor(weights).sum())
    )
    n = x.shape[0]
    if n == 0:
        raise ValueError("mode_statistics needs at least one sample")
    dist = torch.cdist(x, mu) / sd  # (N, K)
    dmin, nearest = dist.min(dim=1)
    hq = dmin < threshold
    counts = torch.bincount(nearest[hq], minlength=k)
    total = int(counts.sum())
    if total > 0:
        p_hat = counts.to(torch.float64) / total
        nz = p_hat > 0
        rkl = float((p_hat[nz] * (p_hat[nz] / w[nz]).log()).sum())
    else:
        rkl = math.nan
    fair = 0.1 * w * n
    return ModeStats(
        counts=counts,
        n_samples=n,
        hq_fraction=float(hq.to(torch.float64).mean()),
        modes=int((counts > 0).sum()),
        modes_fair10=int((counts.to(torch.float64) >= fair.clamp(min=1.0)).sum()),
        reverse_kl=rkl,
    )


def _stats(ctx: EvalContext) -> ModeStats:
    ds = ctx.dataset
    assert isinstance(ds, GaussianMixture)  # guaranteed by requires={"mixture"}
    return ctx.cached(
        "mode_stats",
        lambda: mode_statistics(ctx.samples, ds.means, ds.stds, ds.weights, threshold=3.0),
    )


def _protocol(ctx: EvalContext) -> dict[str, object]:
    return {
        "n_fake": int(ctx.samples.shape[0]),
        "threshold_std": 3.0,
        "assignment": "nearest component in std-normalised distance",
        "source": "VEEGAN (Srivastava et al. 2017); PacGAN (Lin et al. 2018)",
    }


@register_metric(
    "modes",
    higher_is_better=True,
    requires={"mixture"},
    version="1",
    description="Mixture components with >= 1 high-quality sample (< 3 std; PacGAN/VEEGAN)",
)
def modes_metric(ctx: EvalContext) -> MetricResult:
    """Number of covered modes."""
    return MetricResult(float(_stats(ctx).modes), _protocol(ctx))


@register_metric(
    "modes_fair10",
    higher_is_better=True,
    requires={"mixture"},
    version="1",
    description="Components with >= 10% of their fair share of high-quality samples",
)
def modes_fair10_metric(ctx: EvalContext) -> MetricResult:
    """Number of modes with a non-negligible share of samples."""
    proto = {**_protocol(ctx), "min_count": "0.1 * weight_k * n_fake"}
    return MetricResult(float(_stats(ctx).modes_fair10), proto)


@register_metric(
    "hq",
    higher_is_better=True,
    requires={"mixture"},
    version="1",
    description="Fraction of samples within 3 std of their nearest mode (perfect: 98.9% in 2-D)",
)
def hq_metric(ctx: EvalContext) -> MetricResult:
    """Fraction of high-quality samples."""
    return MetricResult(_stats(ctx).hq_fraction, _protocol(ctx))


@register_metric(
    "reverse_kl",
    higher_is_better=False,
    requires={"mixture"},
    version="1",
    description="KL(p_hat || weights) of the high-quality mode histogram (floor ~ (K-1)/2N)",
)
def reverse_kl_metric(ctx: EvalContext) -> MetricResult:
    """KL of the HQ histogram against the true weights."""
    s = _stats(ctx)
    note = "no high-quality samples: the histogram is empty" if math.isnan(s.reverse_kl) else None
    return MetricResult(s.reverse_kl, _protocol(ctx), note)


@register_metric(
    "log_likelihood",
    higher_is_better=True,
    requires={"mixture"},
    version="1",
    description="Mean log-density of generated samples under the true mixture (nats)",
)
def log_likelihood_metric(ctx: EvalContext) -> MetricResult:
    """Mean log p_data(x) over generated samples."""
    ds = ctx.dataset
    assert isinstance(ds, GaussianMixture)
    value = float(ds.log_prob(ctx.samples.reshape(len(ctx.samples), -1)).mean())
    return MetricResult(value, {"n_fake": int(ctx.samples.shape[0])})

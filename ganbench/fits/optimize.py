"""Fit q = N(b, a²I) to a known mixture by minimising a divergence, and describe the fit.

Each objective is minimised by L-BFGS-B (exact torch gradients, float64) from
several starts: the KL solution (moment matching, which Theis et al. also use
to initialise their MMD fit), each mixture component (its mean and std), and
the mixture mean with a third of the KL scale. Non-convex objectives
(reverse KL, JS, MMD) have several local optima; the fit is the best one, and
all distinct local optima are kept, as is the optimum reached from the KL
start (the one an SGD run started there, as in the original code, would find).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.stats import ncx2

from ganbench.fits.objectives import Mixture, Objective, Quadrature, log_p
from ganbench.metrics.divergence.critic import single_thread
from ganbench.metrics.divergence.densities import GaussianMixtureDensity

LOG_A_BOUNDS = (math.log(1e-3), math.log(1e3))
MIN_WEIGHT = 0.01  # density modes lighter than this are not required to be covered


@dataclass(frozen=True)
class Fit:
    """One local optimum: the Gaussian's mean b, scale a, objective value and start."""

    b: tuple[float, ...]
    a: float
    value: float
    start: str
    converged: bool

    def as_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {**asdict(self), "b": list(self.b)}


def kl_solution(mix: Mixture) -> tuple[np.ndarray, float]:
    """argmin_q KL(p‖q): b = E_p x, a² = E_p‖x − b‖²/D (= the pooled ``np.std`` of the code)."""
    w, m, v = (t.numpy() for t in (mix.w, mix.m, mix.v))
    b = w @ m
    a2 = float(w @ (mix.dim * v + ((m - b) ** 2).sum(1))) / mix.dim
    return b, math.sqrt(a2)


def starts(mix: Mixture) -> list[tuple[str, np.ndarray, float]]:
    """Named starting points (b, a)."""
    b, a = kl_solution(mix)
    out = [("kl solution", b, a), ("mixture mean, a/3", b, a / 3)]
    for k, (mk, vk) in enumerate(zip(mix.m.numpy(), mix.v.numpy(), strict=True)):
        out.append((f"component {k + 1}", mk, math.sqrt(vk)))
    return out


def _local_fit(
    objective: Objective, mix: Mixture, quad: Quadrature, b0: np.ndarray, a0: float, name: str
) -> Fit:
    d = mix.dim

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        val = objective(mix, t[:d], t[d], quad)
        (grad,) = torch.autograd.grad(val, t)
        return val.item(), grad.numpy()

    x0 = np.concatenate([b0, [math.log(a0)]])
    bounds = [(None, None)] * d + [LOG_A_BOUNDS]
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    return Fit(
        tuple(float(v) for v in res.x[:d]), math.exp(res.x[d]), float(res.fun), name, res.success
    )


def distinct(fits: list[Fit], tol: float = 1e-3) -> list[Fit]:
    """Fits with different (b, a), best first."""
    out: list[Fit] = []
    for f in sorted(fits, key=lambda f: f.value):
        if all(np.hypot(np.linalg.norm(np.subtract(f.b, g.b)), f.a - g.a) > tol for g in out):
            out.append(f)
    return out


@dataclass(frozen=True)
class FitResult:
    """The best fit, every distinct local optimum, and the optimum reached from the KL start."""

    best: Fit
    local_optima: list[Fit]
    from_kl_start: Fit


def fit_isotropic_gaussian(
    p: GaussianMixtureDensity, objective: Objective, quad: Quadrature | None = None
) -> FitResult:
    """Minimise ``objective`` over N(b, a²I) from every start of :func:`starts`."""
    mix = Mixture.of(p)
    quad = quad or Quadrature.gauss_hermite(mix.dim)
    with single_thread():
        fits = [_local_fit(objective, mix, quad, b0, a0, name) for name, b0, a0 in starts(mix)]
    optima = distinct(fits)
    return FitResult(optima[0], optima, fits[0])


@dataclass(frozen=True)
class DensityMode:
    """A local maximum of the mixture density and the weight of the components that climb to it."""

    x: tuple[float, ...]
    log_p: float
    weight: float
    components: tuple[int, ...]  # 1-based


def density_modes(p: GaussianMixtureDensity, tol: float = 1e-3) -> list[DensityMode]:
    """The modes of p, found by BFGS ascent of log p from every component mean (heaviest first)."""
    mix = Mixture.of(p)

    def neg(x: np.ndarray) -> tuple[float, np.ndarray]:
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        val = -log_p(t, mix)
        (grad,) = torch.autograd.grad(val, t)
        return val.item(), grad.numpy()

    found: list[tuple[np.ndarray, float, list[int]]] = []
    for k, mk in enumerate(mix.m.numpy()):
        res = minimize(neg, mk, jac=True, method="BFGS", options={"gtol": 1e-10})
        for x, _, comps in found:
            if np.linalg.norm(x - res.x) < tol:
                comps.append(k)
                break
        else:
            found.append((res.x, -float(res.fun), [k]))
    w = mix.w.numpy()
    modes = [
        DensityMode(tuple(float(v) for v in x), lp, float(w[c].sum()), tuple(i + 1 for i in c))
        for x, lp, c in found
    ]
    return sorted(modes, key=lambda m: -m.weight)


def coverage(
    p: GaussianMixtureDensity,
    b: np.ndarray,
    a: float,
    quad: Quadrature,
    modes: list[DensityMode],
    radius: float = 3.0,
) -> dict[str, object]:
    """How q = N(b, a²I) sits on the mixture: mode covering vs. mode seeking.

    q's region is the disc ‖x − b‖ ≤ radius·a (radius 3: 98.9 % of q's mass in 2-D).
    ``modes`` are p's density modes (:func:`density_modes`), numbered heaviest first.

    * ``modes_inside``: the modes in q's region; ``missed``: modes of weight ≥
      ``MIN_WEIGHT`` outside it; ``behaviour``: "mode covering" when none is missed,
      else "mode seeking"; ``nearest_mode``: the mode closest to b;
    * ``p_mass_inside``: P_p(‖x − b‖ ≤ radius·a), the data mass in q's region;
    * ``e_q_log_p``: E_q log p, how typical q's samples are under the data (sample quality);
    * ``e_p_log_q``: E_p log q, how well q explains the data (coverage; −KL up to H(p)).
    """
    mix = Mixture.of(p)
    w, m, v = (t.numpy() for t in (mix.w, mix.m, mix.v))
    d, r = mix.dim, radius * a
    dist = np.linalg.norm(m - np.asarray(b), axis=1)
    mode_dist = [float(np.linalg.norm(np.subtract(md.x, b))) for md in modes]
    inside = [i + 1 for i, dm in enumerate(mode_dist) if dm <= r]
    missed = [
        i + 1
        for i, (md, dm) in enumerate(zip(modes, mode_dist, strict=True))
        if dm > r and md.weight >= MIN_WEIGHT
    ]
    e_q_log_p = float((quad.w * log_p(torch.as_tensor(np.asarray(b)) + a * quad.z, mix)).sum())
    second = float(w @ (d * v + dist**2))
    return {
        "radius": radius,
        "modes_inside": inside,
        "missed": missed,
        "behaviour": "mode seeking" if missed else "mode covering",
        "nearest_mode": int(np.argmin(mode_dist)) + 1,
        "p_mass_inside": float(np.sum(w * ncx2.cdf(r * r / v, df=d, nc=dist**2 / v))),
        "e_q_log_p": e_q_log_p,
        "e_p_log_q": -d * (math.log(a) + 0.5 * math.log(2 * math.pi)) - 0.5 * second / (a * a),
    }

"""Objectives pinned to their theory: the Bayes-optimal discriminator attains the bound.

P = N(0, 1) and Q = N(1, 1.5²), so p/q is bounded and every divergence is
finite. The expected D loss is computed two ways through the objective's own
``d_loss``: exactly, by a Riemann sum on a fine grid (1e6 points on [−25, 25],
weights p·dx and q·dx; it uses only that the loss is a batch mean of a real
term plus a batch mean of a fake term), and as the Monte Carlo value the
training loop would see, on N quantile samples of P and Q. The divergences
come from adaptive quadrature of their textbook definitions, and the f-GAN
optimal outputs from f′ (by autograd on f) and an inverse of g_f written out
independently below. The reference values of REFERENCES.md §5
(2·JSD = 0.19858019, 2·JSD − log 4 = −1.18771417) pin the quadrature itself.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from ganbench.objectives import OBJECTIVES

P, Q = stats.norm(0.0, 1.0), stats.norm(1.0, 1.5)


class Points(NamedTuple):
    """Evaluation points with their log density ratio log p/q precomputed."""

    x: np.ndarray
    lr: np.ndarray


def points(x: np.ndarray) -> Points:
    return Points(x, P.logpdf(x) - Q.logpdf(x))


N = 100_000
_U = (np.arange(N) + 0.5) / N
XP, XQ = points(P.ppf(_U)), points(Q.ppf(_U))
GRID = points(np.linspace(-25.0, 25.0, 1_000_001))
WP, WQ = P.pdf(GRID.x) / P.pdf(GRID.x).sum(), Q.pdf(GRID.x) / Q.pdf(GRID.x).sum()
VFn = Callable[[Points], np.ndarray]
TOL = 1e-6  # exact expectation vs quadrature
MC_TOL = 1e-2  # quantile Monte Carlo: E_p of q/p (reverse KL, Hellinger) has heavy tails


def p(x: float) -> float:
    return float(P.pdf(x))


def q(x: float) -> float:
    return float(Q.pdf(x))


def quad(f: Callable[[float], float]) -> float:
    return integrate.quad(f, -25, 25, limit=500, epsabs=1e-12, epsrel=1e-12)[0]


def log_ratio(pts: Points) -> np.ndarray:
    return pts.lr


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(a, dtype=torch.float64)


def mc_neg_d_loss(name: str, v: VFn) -> float:
    """−d_loss with raw outputs v(x) on the quantile samples of P (real) and Q (fake)."""
    obj = OBJECTIVES.get(name)()
    return -float(obj.d_loss(_t(v(XP))[None], _t(v(XQ))[None]))


def neg_d_loss(name: str, v: VFn) -> float:
    """−E d_loss exactly: each grid point is its own ensemble member of batch 1.

    E d = Σ_j wp_j d(v_j, 0) + Σ_j wq_j d(0, v_j) − d(0, 0) for a loss that is a
    real term plus a fake term.
    """
    obj = OBJECTIVES.get(name)()
    vs = _t(v(GRID))[:, None]
    zero = torch.zeros_like(vs)
    real_part = (_t(WP) * obj.d_loss(vs, zero)).sum()
    fake_part = (_t(WQ) * obj.d_loss(zero, vs)).sum()
    return -float(real_part + fake_part - obj.d_loss(zero[:1], zero[:1])[0])


JSD = 0.5 * quad(lambda x: p(x) * math.log(2 * p(x) / (p(x) + q(x)))) + 0.5 * quad(
    lambda x: q(x) * math.log(2 * q(x) / (p(x) + q(x)))
)
TV = 0.5 * quad(lambda x: abs(p(x) - q(x)))
BC = quad(lambda x: math.sqrt(p(x) * q(x)))


def test_quadrature_matches_the_published_reference_values():
    assert pytest.approx(0.19858019, abs=1e-8) == 2 * JSD
    assert 2 * JSD - math.log(4) == pytest.approx(-1.18771417, abs=1e-8)


# f-GAN rows, written independently of ganbench: f(u) (torch, for f′ by autograd) and
# the inverse of the output activation g_f, so that v* = g_f⁻¹(f′(p/q)).
F_ROWS: dict[str, tuple[Callable, Callable[[np.ndarray], np.ndarray]]] = {
    "kl": (lambda u: u * torch.log(u), lambda t: t),
    "reverse-kl": (lambda u: -torch.log(u), lambda t: -np.log(-t)),
    "pearson": (lambda u: (u - 1) ** 2, lambda t: t),
    "hellinger": (lambda u: (torch.sqrt(u) - 1) ** 2, lambda t: -np.log1p(-t)),
    "js": (
        lambda u: -(u + 1) * torch.log((1 + u) / 2) + u * torch.log(u),
        lambda t: t - np.log(2 - np.exp(t)),
    ),
    "gan": (
        lambda u: u * torch.log(u) - (u + 1) * torch.log(u + 1),
        lambda t: -np.log(np.expm1(-t)),
    ),
}


@functools.cache
def f_divergence(f: Callable) -> float:
    def integrand(x: float) -> float:
        return q(x) * float(f(torch.tensor(p(x) / q(x), dtype=torch.float64)))

    return quad(integrand)


def f_prime(f: Callable, r: np.ndarray) -> np.ndarray:
    u = torch.as_tensor(r, dtype=torch.float64).requires_grad_(True)
    (g,) = torch.autograd.grad(f(u).sum(), u)
    return g.numpy()


def f_optimal_v(key: str) -> VFn:
    f, g_inverse = F_ROWS[key]
    return lambda pts: g_inverse(f_prime(f, np.exp(pts.lr)))


def test_f_divergence_normalisation_traps():
    """JS row = 2·JSD, GAN row = 2·JSD − log 4, squared Hellinger = 2(1 − BC)."""
    assert f_divergence(F_ROWS["js"][0]) == pytest.approx(2 * JSD, abs=1e-8)
    assert f_divergence(F_ROWS["gan"][0]) == pytest.approx(2 * JSD - math.log(4), abs=1e-8)
    assert f_divergence(F_ROWS["hellinger"][0]) == pytest.approx(2 * (1 - BC), abs=1e-8)


def test_fgan_table_covers_every_registered_fgan():
    registered = {n.removeprefix("fgan-") for n in OBJECTIVES.names() if n.startswith("fgan-")}
    assert registered == set(F_ROWS)


@pytest.mark.parametrize("key", sorted(F_ROWS))
def test_fgan_bound_is_attained_at_the_optimal_critic(key):
    value = neg_d_loss(f"fgan-{key}", f_optimal_v(key))
    assert value == pytest.approx(f_divergence(F_ROWS[key][0]), abs=TOL)


def _optimum_cases() -> list[tuple[str, VFn, float]]:
    chi2_pm = quad(lambda x: (p(x) - (p(x) + q(x)) / 2) ** 2 / ((p(x) + q(x)) / 2))
    return [
        ("minimax", log_ratio, 2 * JSD - math.log(4)),
        ("nonsaturating", log_ratio, 2 * JSD - math.log(4)),
        ("ml-game", log_ratio, 2 * JSD - math.log(4)),
        ("hinge", lambda pts: np.sign(pts.lr), 2 * TV - 2),  # d_loss* = 2 − 2·TV
        ("lsgan", lambda pts: np.tanh(pts.lr / 2), chi2_pm - 1),  # v* = (p − q)/(p + q)
    ] + [(f"fgan-{k}", f_optimal_v(k), f_divergence(F_ROWS[k][0])) for k in F_ROWS]


CASES = _optimum_cases()


@pytest.mark.parametrize(("name", "v", "theory"), CASES, ids=[c[0] for c in CASES])
def test_bayes_optimal_discriminator_attains_the_theory(name, v, theory):
    assert neg_d_loss(name, v) == pytest.approx(theory, abs=TOL)
    assert mc_neg_d_loss(name, v) == pytest.approx(theory, abs=MC_TOL)


@pytest.mark.parametrize(("name", "v", "theory"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize(
    "perturb",
    [lambda x: 0.3 + 0 * x, lambda x: -0.3 + 0 * x, lambda x: 0.3 * np.sin(3 * x)],
    ids=["up", "down", "wiggle"],
)
def test_perturbing_the_optimum_lowers_the_bound(name, v, theory, perturb):
    assert neg_d_loss(name, lambda pts: v(pts) + perturb(pts.x)) < theory - 1e-3


def wasserstein_critic() -> tuple[VFn, float]:
    """The optimal 1-Lipschitz critic f with f′ = sign(F_Q − F_P), and W1 = ∫|F_P − F_Q|."""
    grid = np.linspace(-40, 40, 400_001)
    slope = np.sign(Q.cdf(grid) - P.cdf(grid))
    f = np.concatenate([[0.0], np.cumsum((slope[1:] + slope[:-1]) / 2 * np.diff(grid))])
    w1 = quad(lambda x: abs(P.cdf(x) - Q.cdf(x)))
    return (lambda pts: np.interp(pts.x, grid, f)), w1


@pytest.mark.parametrize("name", ["wgan", "wgan-gp"])
def test_wasserstein_critic_attains_w1_and_worse_critics_do_not(name):
    critic, w1 = wasserstein_critic()
    assert neg_d_loss(name, critic) == pytest.approx(w1, abs=TOL)
    assert mc_neg_d_loss(name, critic) == pytest.approx(w1, abs=MC_TOL)
    assert neg_d_loss(name, lambda pts: critic(pts) + 5.0) == pytest.approx(w1, abs=TOL)
    for worse in (lambda p: 0.8 * critic(p), lambda p: -critic(p), lambda p: np.tanh(p.x)):
        assert neg_d_loss(name, worse) < w1 - 1e-2


@pytest.mark.parametrize(
    ("name", "params", "saturates"),
    [
        ("minimax", {}, True),
        ("nonsaturating", {}, False),
        ("fgan-gan", {"generator_loss": "saddle"}, True),
        ("fgan-gan", {"generator_loss": "nonsaturating"}, False),
    ],
)
@pytest.mark.parametrize("v", [-5.0, -10.0, -30.0])
def test_saturation_as_d_of_fake_goes_to_zero(name, params, saturates, v):
    """D(G(z)) = σ(v) → 0: the minimax gradient vanishes (≤ e^v), the non-saturating one ≈ 1."""
    fake = torch.tensor([[v]], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(OBJECTIVES.get(name)(**params).g_loss(fake).sum(), fake)
    magnitude = abs(float(grad))
    if saturates:
        assert magnitude <= math.exp(v)
    else:
        assert magnitude > 0.99


def test_ml_game_gradient_is_half_the_kl_gradient():
    """With D at the Bayes optimum for q_θ0 = N(θ0, 1), p = N(0, 1): ∂J/∂θ = ½ ∂KL(p‖q_θ)/∂θ = θ0/2.

    The non-saturating and minimax losses give different gradients at the same point.
    """
    theta0 = 0.7
    z = torch.as_tensor(stats.norm.ppf(_U), dtype=torch.float64)

    def grad_of(name: str) -> float:
        theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
        x = theta + z
        v = -theta0 * x + theta0**2 / 2  # log p(x) − log q_θ0(x), fixed in θ
        (g,) = torch.autograd.grad(OBJECTIVES.get(name)().g_loss(v[None]).sum(), theta)
        return float(g)

    assert grad_of("ml-game") == pytest.approx(theta0 / 2, abs=1e-4)
    assert abs(grad_of("nonsaturating") - theta0 / 2) > 1e-2
    assert abs(grad_of("minimax") - theta0 / 2) > 1e-2


@pytest.mark.parametrize("name", ["rsgan", "ragan"])
def test_relativistic_losses_are_shift_invariant(name):
    obj = OBJECTIVES.get(name)()
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(2, 16, generator=g), torch.randn(2, 16, generator=g)
    torch.testing.assert_close(obj.d_loss(real + 3.0, fake + 3.0), obj.d_loss(real, fake))
    torch.testing.assert_close(obj.g_loss(fake - 2.0, real - 2.0), obj.g_loss(fake, real))

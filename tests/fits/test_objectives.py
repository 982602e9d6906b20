"""The fit objectives against the independent Monte Carlo integrator, and the fits' shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganbench.fits import FIT_OBJECTIVES, fit_isotropic_gaussian, theis_mixture
from ganbench.fits.objectives import Mixture, Quadrature, js
from ganbench.fits.optimize import coverage, density_modes
from ganbench.metrics.divergence import GaussianMixtureDensity, estimate_divergence
from ganbench.metrics.divergence.exact import mmd2_closed_form

QUAD = Quadrature.gauss_hermite(2, 16)


@pytest.fixture(scope="module")
def target():
    return theis_mixture()


@pytest.mark.parametrize(("b", "a"), [((-0.4, -1.0), 0.7), ((0.0, 3.0), 0.5)])
def test_objectives_match_monte_carlo_and_closed_forms(target, b, a):
    mix = Mixture.of(target)
    bt, la = torch.tensor(b, dtype=torch.float64), torch.tensor(math.log(a), dtype=torch.float64)
    q = GaussianMixtureDensity.gaussian(b, a * a)
    for name in ("kl", "reverse_kl", "js"):
        got = float(FIT_OBJECTIVES.get(name)()(mix, bt, la, QUAD))
        mc = estimate_divergence(target, q, name, method="exact", n_mc=40_000)
        assert abs(got - mc.value) < 4 * mc.stderr + 2e-4, name
    # Theis kernel Σ exp(−r²/s²) = 5 × the mean-of-RBFs kernel with σ = s/√2
    scales = (0.5, 1.0, 2.0, 4.0, 8.0)
    got = float(FIT_OBJECTIVES.get("mmd")(scales=scales)(mix, bt, la, QUAD))
    want = math.sqrt(5 * mmd2_closed_form(target, q, [s / math.sqrt(2) for s in scales]))
    assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(("a", "names"), [(0.7, ("kl", "reverse_kl", "js")), (1.5, ("kl", "js"))])
def test_fitting_rule_is_converged(target, a, names):
    """The suite's 32-point rule against a 96-point one, at the fits' scales (measured ≤ 5e-4)."""
    mix = Mixture.of(target)
    bt = torch.tensor([-0.4, -1.0], dtype=torch.float64)
    la = torch.tensor(math.log(a), dtype=torch.float64)
    coarse, fine = Quadrature.gauss_hermite(2, 32), Quadrature.gauss_hermite(2, 96)
    for name in names:
        fn = FIT_OBJECTIVES.get(name)()
        assert float(fn(mix, bt, la, coarse)) == pytest.approx(
            float(fn(mix, bt, la, fine)), abs=1e-3
        )


def test_normaliser_bug_cancels_when_on_both_densities(target):
    """The code's log π (not log 2π) is in log p and log q alike: JSD and its fit are unchanged.

    Were it on q alone (what REFERENCES §6 assumes), the objective and the fit would move.
    """
    mix = Mixture.of(target)
    bt = torch.tensor([-0.4, -1.0], dtype=torch.float64)
    la = torch.tensor(-0.3, dtype=torch.float64)
    c = math.log(2.0)  # D/2 · log 2 with D = 2: log of 1/π^{D/2} minus log of 1/(2π)^{D/2}
    right = float(js(mix, bt, la, QUAD))
    assert float(js(mix, bt, la, QUAD, log_p_offset=c, log_q_offset=c)) == pytest.approx(right)
    assert abs(float(js(mix, bt, la, QUAD, log_q_offset=c)) - right) > 1e-3


@pytest.mark.slow
def test_normaliser_bug_on_q_alone_moves_the_fit_slightly(target):
    """On q alone the factor 2^{D/2} moves the JS fit's a by ~1e-3 (measured 0.7679 → 0.7690)."""
    c = math.log(2.0)
    moved = fit_isotropic_gaussian(
        target, lambda m, b, log_a, quad: js(m, b, log_a, quad, 0.0, c), QUAD
    ).best
    kept = fit_isotropic_gaussian(
        target, lambda m, b, log_a, quad: js(m, b, log_a, quad, c, c), QUAD
    ).best
    correct = fit_isotropic_gaussian(target, js, QUAD).best
    assert kept.a == pytest.approx(correct.a, abs=1e-5)
    assert abs(moved.a - correct.a) > 5e-4


@pytest.fixture(scope="module")
def fits(target):
    quad = Quadrature.gauss_hermite(2, 12)  # the ordering of the fits is robust to the rule
    return {
        name: fit_isotropic_gaussian(target, FIT_OBJECTIVES.get(name)(), quad)
        for name in ("kl", "reverse_kl", "js", "mmd")
    }


def test_kl_covers_and_reverse_kl_seeks(target, fits):
    """Theis et al.: the KL fit is the widest and covers every mode; reverse KL sits on one."""
    modes = density_modes(target)
    assert len(modes) == 3 and modes[0].weight > 0.7
    cov = {k: coverage(target, np.array(f.best.b), f.best.a, QUAD, modes) for k, f in fits.items()}
    assert cov["kl"]["behaviour"] == "mode covering" and cov["kl"]["modes_inside"] == [1, 2, 3]
    assert cov["reverse_kl"]["modes_inside"] == [1] and cov["reverse_kl"]["nearest_mode"] == 1
    assert cov["js"]["behaviour"] == "mode seeking"
    a = {k: f.best.a for k, f in fits.items()}
    assert a["kl"] == max(a.values())
    assert a["reverse_kl"] < a["mmd"] < a["kl"]
    assert cov["reverse_kl"]["e_q_log_p"] > cov["kl"]["e_q_log_p"]  # better samples
    assert cov["kl"]["e_p_log_q"] > cov["reverse_kl"]["e_p_log_q"]  # better likelihood


def test_each_fit_minimises_its_own_objective(target, fits):
    mix = Mixture.of(target)
    for name, res in fits.items():
        fn = FIT_OBJECTIVES.get(name)()
        own = fn(mix, torch.tensor(res.best.b), torch.tensor(math.log(res.best.a)), QUAD)
        for other in fits.values():
            val = fn(mix, torch.tensor(other.best.b), torch.tensor(math.log(other.best.a)), QUAD)
            assert float(own) <= float(val) + 1e-9
    assert len(fits["reverse_kl"].local_optima) >= 2  # non-convex: the other modes are optima

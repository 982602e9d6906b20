"""Dirac-GAN (Mescheder, Geiger & Nowozin 2018) with ganbench's own losses and penalties.

p_D = δ₀, p_θ = δ_θ, D_ψ(x) = ψ·x. The gradients come from autograd through the
registered objectives and regularizers (nothing is re-derived here); the
numbers are those of REFERENCES.md §9, from the paper's notebook settings:
step h = 0.2, 500 steps, start (θ₀, ψ₀) = (1, 1) in the paper's convention,
where D is high on fakes. ganbench's D is high on real data, so ψ flips sign
and the same start is (θ, ψ) = (1, −1); radii are unaffected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest
import torch

from ganbench.objectives import OBJECTIVES
from ganbench.objectives.base import MemberRandom, Objective
from ganbench.regularizers import REGULARIZERS, Regularizer

H = 0.2
START = (1.0, -1.0)
RNG = MemberRandom([torch.Generator().manual_seed(0)], torch.device("cpu"))
REAL = torch.zeros(1, 1, 1, dtype=torch.float64)


def grads(
    obj: Objective, regs: Sequence[Regularizer], theta: float, psi: float
) -> tuple[float, float]:
    """(∂g_loss/∂θ, ∂(d_loss + penalties)/∂ψ) at (θ, ψ)."""
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    ps = torch.tensor(psi, dtype=torch.float64, requires_grad=True)

    def critic(x: torch.Tensor) -> torch.Tensor:
        return ps * x.squeeze(-1)

    fake = th.reshape(1, 1, 1)
    d = obj.d_loss(critic(REAL), critic(fake.detach()))
    for r in regs:
        d = d + r.penalty(critic, REAL, fake.detach(), RNG)
    (g_psi,) = torch.autograd.grad(d.sum(), ps)
    (g_theta,) = torch.autograd.grad(obj.g_loss(ps.detach() * fake.squeeze(-1)).sum(), th)
    return float(g_theta), float(g_psi)


def simultaneous(name: str, regs: Sequence[Regularizer] = (), steps: int = 500) -> list[float]:
    """Radii √(θ² + ψ²) along simultaneous gradient descent."""
    obj = OBJECTIVES.get(name)()
    theta, psi = START
    radii = []
    for _ in range(steps):
        g_theta, g_psi = grads(obj, regs, theta, psi)
        theta, psi = theta - H * g_theta, psi - H * g_psi
        radii.append(math.hypot(theta, psi))
    return radii


def alternating(name: str, steps: int) -> list[float]:
    """Radii along alternating GD: a generator step, then a critic step at the new θ."""
    obj = OBJECTIVES.get(name)()
    theta, psi = START
    radii = []
    for _ in range(steps):
        theta -= H * grads(obj, (), theta, psi)[0]
        psi -= H * grads(obj, (), theta, psi)[1]
        radii.append(math.hypot(theta, psi))
    return radii


def test_unregularised_gan_diverges_under_simultaneous_gd():
    radii = simultaneous("minimax")
    assert radii[-1] == pytest.approx(3.097, abs=1e-3)
    assert radii[-1] > radii[99] > math.sqrt(2)


def test_wgan_radius_grows_by_sqrt_one_plus_h_squared_per_step():
    radii = simultaneous("wgan", steps=100)
    assert radii[-1] == pytest.approx(math.sqrt(2) * 1.04**50, rel=1e-10)


def test_alternating_wgan_stays_on_a_bounded_orbit():
    radii = alternating("wgan", 300)  # the orbit turns by ≈ h per step: ~10 revolutions
    assert min(radii) == pytest.approx(1.279, abs=1e-3)
    assert max(radii) == pytest.approx(math.sqrt(2), abs=1e-4)


@pytest.mark.parametrize(
    ("reg", "params", "final"),
    [
        ("r1", {"gamma": 1.0}, 1e-21),  # critical strength γ = 2 f′(0) = 1: eigenvalues −½, −½
        ("r1", {"gamma": 0.3}, 2.6e-6),  # below critical: still locally convergent, slower
        ("gp", {"weight": 0.5, "target": 0.0}, 1e-21),  # zero-centred GP = R1 with γ = 2λ here
    ],
)
def test_zero_centred_penalties_make_simultaneous_gd_converge(reg, params, final):
    radii = simultaneous("minimax", [REGULARIZERS.get(reg)(**params)])
    assert radii[-1] < 1e-5
    assert math.log10(radii[-1]) == pytest.approx(math.log10(final), abs=0.5)


def test_stronger_r1_converges_faster_up_to_the_critical_value():
    finals = [
        simultaneous("minimax", [REGULARIZERS.get("r1")(gamma=g)], steps=150)[-1]
        for g in (0.1, 0.3, 1.0)
    ]
    assert finals[0] > finals[1] > finals[2]


def test_one_centred_gradient_penalty_does_not_converge_to_the_equilibrium():
    """WGAN-GP's target-1 penalty pushes ψ away from 0 (REFERENCES §9: reg 0.7, target 1)."""
    radii = simultaneous("minimax", [REGULARIZERS.get("gp")(weight=0.7, target=1.0)])
    assert min(radii) > 1.0

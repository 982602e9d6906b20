"""Penalty values against hand computations on a fixed tiny network, and registry contracts.

The critic is D(x) = a·tanh(W x + b) + c per member, whose input gradient is
∇D(x) = Wᵀ (a ⊙ (1 − tanh²(W x + b))), written out in NumPy below; the random
interpolation draws are replayed from generators with the same seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.objectives.base import MemberRandom
from ganbench.regularizers import REGULARIZERS
from ganbench.train.config import TrainConfig

E, B, D_IN, H = 2, 5, 2, 3
SEEDS = [11, 12]
_g = torch.Generator().manual_seed(0)
W = torch.randn(E, H, D_IN, generator=_g, dtype=torch.float64)
BIAS = torch.randn(E, H, generator=_g, dtype=torch.float64)
A = torch.randn(E, H, generator=_g, dtype=torch.float64)
REAL = torch.randn(E, B, D_IN, generator=_g, dtype=torch.float64)
FAKE = torch.randn(E, B, D_IN, generator=_g, dtype=torch.float64)


def critic(x: torch.Tensor) -> torch.Tensor:
    h = torch.tanh(torch.einsum("ehd,ebd->ebh", W, x) + BIAS[:, None])
    return (h * A[:, None]).sum(-1) + 0.3


def grad_by_hand(x: np.ndarray) -> np.ndarray:
    """∇D per member and sample, ``(E, B, D_IN)``."""
    w, b, a = W.numpy(), BIAS.numpy(), A.numpy()
    pre = np.einsum("ehd,ebd->ebh", w, x) + b[:, None]
    return np.einsum("ebh,ehd->ebd", a[:, None] * (1 - np.tanh(pre) ** 2), w)


def rng() -> MemberRandom:
    return MemberRandom([torch.Generator().manual_seed(s) for s in SEEDS], torch.device("cpu"))


def replay(*shape: int) -> np.ndarray:
    """The first U[0, 1) draws of each member's stream, ``(E, *shape)``."""
    return np.stack([torch.rand(*shape, generator=torch.Generator().manual_seed(s)).numpy()
                     for s in SEEDS])  # fmt: skip


def penalty(name: str, **params) -> np.ndarray:
    reg = REGULARIZERS.get(name)(**params)
    return reg.penalty(critic, REAL, FAKE, rng()).detach().numpy()


@pytest.mark.parametrize(("target", "one_sided"), [(1.0, False), (1.0, True), (0.0, False)])
def test_gradient_penalty_by_hand(target, one_sided):
    alpha = replay(B)[..., None]
    x_hat = alpha * REAL.numpy() + (1 - alpha) * FAKE.numpy()
    gap = np.linalg.norm(grad_by_hand(x_hat), axis=-1) - target
    if one_sided:
        gap = np.maximum(gap, 0)
    expected = 7.0 * (gap**2).mean(-1)
    got = penalty("gp", weight=7.0, target=target, one_sided=one_sided)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_one_sided_penalty_is_smaller_than_two_sided():
    two = penalty("gp", weight=1.0)
    one = penalty("gp", weight=1.0, one_sided=True)
    assert (one <= two).all() and (one < two).any()


@pytest.mark.parametrize(("name", "x"), [("r1", REAL), ("r2", FAKE)])
def test_r1_r2_by_hand(name, x):
    sq = (grad_by_hand(x.numpy()) ** 2).sum(-1).mean(-1)
    np.testing.assert_allclose(penalty(name, gamma=4.0), 2.0 * sq, rtol=1e-12)


def test_dragan_by_hand():
    """x_p = x + 0.5·std(x)·u (u per coordinate), x̂ = α x + (1 − α) x_p (authors' code)."""
    gens = [torch.Generator().manual_seed(s) for s in SEEDS]
    u = np.stack([torch.rand(B, D_IN, generator=g).numpy() for g in gens])
    alpha = np.stack([torch.rand(B, generator=g).numpy() for g in gens])[..., None]
    x = REAL.numpy()
    std = x.reshape(E, -1).std(axis=1)[:, None, None]
    x_hat = alpha * x + (1 - alpha) * (x + 0.5 * std * u)
    expected = 10.0 * ((np.linalg.norm(grad_by_hand(x_hat), axis=-1) - 1) ** 2).mean(-1)
    np.testing.assert_allclose(penalty("dragan"), expected, rtol=1e-12)


def test_weight_clip_clamps_every_parameter_and_its_functional_form_agrees():
    net = torch.nn.Linear(4, 3)
    with torch.no_grad():
        net.weight.mul_(10)
    reg = REGULARIZERS.get("weight-clip")(clip=0.05)
    projected = reg.project_params(dict(net.named_parameters()))
    reg.after_d_step(net)
    for name, p in net.named_parameters():
        assert p.abs().max() <= 0.05
        torch.testing.assert_close(projected[name], p)


@pytest.mark.parametrize("name", REGULARIZERS.names())
def test_every_regularizer_is_per_member_and_documented(name):
    """A member's penalty does not change when another member's inputs change."""
    entry = REGULARIZERS.entry(name)
    assert entry.description and "20" in entry.obj.reference
    reg = entry.obj()
    pen = reg.penalty(critic, REAL, FAKE, rng())
    if pen is None:
        return
    pen = pen.detach()
    assert pen.shape == (E,) and torch.isfinite(pen).all()
    real2, fake2 = REAL.clone(), FAKE.clone()
    real2[1] += 1.0
    fake2[1] -= 1.0
    pen2 = reg.penalty(critic, real2, fake2, rng()).detach()
    assert float(pen2[0]) == pytest.approx(float(pen[0]), rel=1e-12)
    assert float(pen2[1]) != pytest.approx(float(pen[1]), rel=1e-6)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "r3"}, "unknown regularizer 'r3'"),
        ({"name": "r1", "gama": 1}, "unknown parameter 'gama' (valid: gamma)"),
        ({"name": "gp", "weight": -1}, "weight must be >= 0"),
        ({"name": "weight-clip", "clip": 0}, "clip must be > 0"),
        ({"gamma": 1}, "expected a mapping with a regularizer 'name'"),
    ],
)
def test_bad_regularizer_specs_are_one_line_errors(spec, message):
    with pytest.raises(ValueError, match="regularizers\\[0\\]") as info:
        TrainConfig(regularizers=(spec,))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_regularizer_specs_are_stored_with_every_parameter():
    cfg = TrainConfig(regularizers=("r1", {"name": "gp", "one_sided": True}))
    assert cfg.regularizers == (
        {"name": "r1", "gamma": 10.0},
        {"name": "gp", "weight": 10.0, "target": 1.0, "one_sided": True},
    )


def test_ls_regularizers_lists_every_name_with_its_reference(capsys):
    from ganbench.cli import main

    assert main(["ls", "regularizers"]) == 0
    out = capsys.readouterr().out
    for name in REGULARIZERS.names():
        assert any(line.split()[0] == name and "arXiv" in line for line in out.splitlines())

"""Objective losses against values computed by hand for fixed inputs."""

from __future__ import annotations

import math
import re

import pytest
import torch

from ganbench.objectives import OBJECTIVES

REAL = torch.tensor([[2.0, -1.0]], dtype=torch.float64)
FAKE = torch.tensor([[0.5, -3.0]], dtype=torch.float64)


def sp(x: float) -> float:
    return math.log1p(math.exp(x))


def test_minimax_and_nonsaturating_by_hand():
    d_expected = (sp(-2.0) + sp(1.0)) / 2 + (sp(0.5) + sp(-3.0)) / 2
    for name in ("minimax", "nonsaturating"):
        obj = OBJECTIVES.get(name)()
        assert float(obj.d_loss(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-12)
    # minimax G: E log(1 - sigmoid(v)) = -E softplus(v)
    mm = OBJECTIVES.get("minimax")().g_loss(FAKE)
    assert float(mm) == pytest.approx(-(sp(0.5) + sp(-3.0)) / 2, rel=1e-12)
    # non-saturating G: -E log sigmoid(v) = E softplus(-v)
    ns = OBJECTIVES.get("nonsaturating")().g_loss(FAKE)
    assert float(ns) == pytest.approx((sp(-0.5) + sp(3.0)) / 2, rel=1e-12)


def test_wgan_gp_losses_by_hand():
    obj = OBJECTIVES.get("wgan-gp")()
    assert float(obj.d_loss(REAL, FAKE)) == pytest.approx((0.5 - 3.0) / 2 - (2.0 - 1.0) / 2)
    assert float(obj.g_loss(FAKE)) == pytest.approx(-(0.5 - 3.0) / 2)


def test_classic_losses_are_stable_for_huge_logits():
    obj = OBJECTIVES.get("nonsaturating")()
    big = torch.tensor([[1e4, -1e4]])
    assert torch.isfinite(obj.d_loss(big, -big)).all()
    assert torch.isfinite(obj.g_loss(big)).all()


def test_losses_keep_member_axis():
    real = torch.randn(3, 8)
    fake = torch.randn(3, 8)
    for name in OBJECTIVES.names():
        obj = OBJECTIVES.get(name)()
        assert obj.d_loss(real, fake).shape == (3,)
        assert obj.g_loss(fake, real).shape == (3,)


def test_wgan_gp_penalty_on_linear_critic_by_hand():
    """For D(x) = w·x the input gradient is w everywhere: GP = λ (‖w‖ − 1)²."""
    from ganbench.objectives.base import MemberRandom

    w = torch.tensor([3.0, 4.0])
    obj = OBJECTIVES.get("wgan-gp")(gp_weight=10.0)
    rng = MemberRandom([torch.Generator().manual_seed(0)], torch.device("cpu"))
    real = torch.randn(1, 16, 2)
    fake = torch.randn(1, 16, 2)
    pen = obj.d_penalty(lambda x: x @ w, real, fake, rng)
    assert pen.shape == (1,)
    assert float(pen) == pytest.approx(10.0 * (5.0 - 1.0) ** 2)


# --- the rest of the registry, by hand -----------------------------------------------------

R = [2.0, -1.0]  # REAL as plain floats
Fk = [0.5, -3.0]  # FAKE as plain floats


def mean(xs) -> float:
    return sum(xs) / len(xs)


def sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_ml_game_by_hand():
    obj = OBJECTIVES.get("ml-game")()
    assert float(obj.g_loss(FAKE)) == pytest.approx(-0.5 * mean([math.exp(v) for v in Fk]))
    # exp(v) = D/(1 − D) with D = σ(v)
    assert float(obj.g_loss(FAKE)) == pytest.approx(
        -0.5 * mean([sig(v) / (1 - sig(v)) for v in Fk])
    )


def test_label_smoothing_by_hand():
    obj = OBJECTIVES.get("nonsaturating")()
    t = 0.9
    expected = mean([-t * math.log(sig(v)) - (1 - t) * math.log(1 - sig(v)) for v in R]) + mean(
        [-math.log(1 - sig(v)) for v in Fk]
    )
    assert float(obj.smoothed_d_loss(REAL, FAKE, t)) == pytest.approx(expected, rel=1e-12)
    torch.testing.assert_close(obj.smoothed_d_loss(REAL, FAKE, 1.0), obj.d_loss(REAL, FAKE))


@pytest.mark.parametrize("name", ["hinge", "lsgan", "wgan", "fgan-js", "rsgan"])
def test_label_smoothing_is_refused_outside_the_classic_family(name):
    with pytest.raises(ValueError, match="label"):
        OBJECTIVES.get(name)().smoothed_d_loss(REAL, FAKE, 0.9)


@pytest.mark.parametrize(("a", "b", "c"), [(-1.0, 1.0, 0.0), (0.0, 1.0, 1.0)])
def test_lsgan_by_hand(a, b, c):
    obj = OBJECTIVES.get("lsgan")(a=a, b=b, c=c)
    d = 0.5 * mean([(v - b) ** 2 for v in R]) + 0.5 * mean([(v - a) ** 2 for v in Fk])
    assert float(obj.d_loss(REAL, FAKE)) == pytest.approx(d)
    assert float(obj.g_loss(FAKE)) == pytest.approx(0.5 * mean([(v - c) ** 2 for v in Fk]))


def test_lsgan_rejects_equal_targets():
    with pytest.raises(ValueError, match="a != b"):
        OBJECTIVES.get("lsgan")(a=1.0, b=1.0)


def test_hinge_by_hand():
    obj = OBJECTIVES.get("hinge")()
    d = mean([max(0.0, 1 - v) for v in R]) + mean([max(0.0, 1 + v) for v in Fk])
    assert float(obj.d_loss(REAL, FAKE)) == pytest.approx(d)
    assert float(obj.g_loss(FAKE)) == pytest.approx(-mean(Fk))


# Nowozin et al. Table 2, transcribed as printed (REFERENCES.md §5): g_f(v) and f*(t).
TABLE2 = {
    "kl": (lambda v: v, lambda t: math.exp(t - 1)),
    "reverse-kl": (lambda v: -math.exp(-v), lambda t: -1 - math.log(-t)),
    "pearson": (lambda v: v, lambda t: t * t / 4 + t),
    "hellinger": (lambda v: 1 - math.exp(-v), lambda t: t / (1 - t)),
    "js": (
        lambda v: math.log(2) - math.log(1 + math.exp(-v)),
        lambda t: -math.log(2 - math.exp(t)),
    ),
    "gan": (lambda v: -math.log(1 + math.exp(-v)), lambda t: -math.log(1 - math.exp(t))),
}


@pytest.mark.parametrize("key", sorted(TABLE2))
@pytest.mark.parametrize("generator_loss", ["saddle", "nonsaturating"])
def test_fgan_losses_match_nowozin_table_2(key, generator_loss):
    g, fstar = TABLE2[key]
    obj = OBJECTIVES.get(f"fgan-{key}")(generator_loss=generator_loss)
    d = -mean([g(v) for v in R]) + mean([fstar(g(v)) for v in Fk])
    assert float(obj.d_loss(REAL, FAKE)) == pytest.approx(d, rel=1e-10)
    if generator_loss == "saddle":
        expected_g = -mean([fstar(g(v)) for v in Fk])
    else:
        expected_g = -mean([g(v) for v in Fk])
    assert float(obj.g_loss(FAKE)) == pytest.approx(expected_g, rel=1e-10)


def test_fgan_gan_row_equals_the_classic_losses():
    fgan = OBJECTIVES.get("fgan-gan")
    torch.testing.assert_close(
        fgan().d_loss(REAL, FAKE), OBJECTIVES.get("nonsaturating")().d_loss(REAL, FAKE)
    )
    torch.testing.assert_close(
        fgan(generator_loss="nonsaturating").g_loss(FAKE),
        OBJECTIVES.get("nonsaturating")().g_loss(FAKE),
    )
    torch.testing.assert_close(
        fgan(generator_loss="saddle").g_loss(FAKE), OBJECTIVES.get("minimax")().g_loss(FAKE)
    )


def test_relativistic_by_hand():
    rs = OBJECTIVES.get("rsgan")()
    d = mean([-math.log(sig(r - f)) for r, f in zip(R, Fk, strict=True)])
    g = mean([-math.log(sig(f - r)) for r, f in zip(R, Fk, strict=True)])
    assert float(rs.d_loss(REAL, FAKE)) == pytest.approx(d)
    assert float(rs.g_loss(FAKE, REAL)) == pytest.approx(g)
    ra = OBJECTIVES.get("ragan")()
    mr, mf = mean(R), mean(Fk)
    d = mean([-math.log(sig(r - mf)) for r in R]) + mean([-math.log(1 - sig(f - mr)) for f in Fk])
    g = mean([-math.log(sig(f - mr)) for f in Fk]) + mean([-math.log(1 - sig(r - mf)) for r in R])
    assert float(ra.d_loss(REAL, FAKE)) == pytest.approx(d)
    assert float(ra.g_loss(FAKE, REAL)) == pytest.approx(g)
    with pytest.raises(ValueError, match="real outputs"):
        rs.g_loss(FAKE)


STABLE = ["minimax", "nonsaturating", "hinge", "lsgan", "fgan-js", "fgan-gan", "rsgan", "ragan"]


@pytest.mark.parametrize("name", STABLE)
def test_bounded_activation_losses_are_finite_for_huge_outputs(name):
    obj = OBJECTIVES.get(name)()
    big = torch.tensor([[1e4, -1e4, 80.0, -80.0]])
    for real, fake in ((big, -big), (-big, big)):
        assert torch.isfinite(obj.d_loss(real, fake)).all()
        assert torch.isfinite(obj.g_loss(fake, real)).all()


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_documents_its_formula_and_paper(name):
    entry = OBJECTIVES.entry(name)
    doc = entry.obj.__doc__ or ""
    assert re.search(r"E[_ (]", doc), "the docstring states the loss as an expectation"
    assert entry.description and len(entry.description) <= 120
    assert re.search(r"(19|20)\d\d", entry.obj.reference), "reference needs author and year"
    assert "arXiv:" in entry.obj.reference


def test_ls_objectives_lists_every_name_with_its_reference(capsys):
    from ganbench.cli import main

    assert main(["ls", "objectives"]) == 0
    out = capsys.readouterr().out
    for name in OBJECTIVES.names():
        line = next(line for line in out.splitlines() if line.split()[0] == name)
        assert OBJECTIVES.get(name).reference in line

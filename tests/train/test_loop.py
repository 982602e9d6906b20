from __future__ import annotations

import itertools
import math

import pytest
import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES
from ganbench.objectives.base import Objective
from ganbench.train import Member, TrainConfig, train_ensemble

CPU = torch.device("cpu")


def build(ctx):
    return ARCHITECTURES.get("mlp")(ctx, depth=2, width=16)


def cfg(**kw) -> TrainConfig:
    base = {"steps": 30, "batch_size": 32, "log_every": 10, "lr": 1e-3}
    return TrainConfig(**{**base, **kw})


def test_same_seed_gives_identical_results():
    ring = DATASETS.get("ring")()
    obj = OBJECTIVES.get("nonsaturating")()
    a = train_ensemble(obj, build, cfg(), [Member(0, ring)], CPU)
    b = train_ensemble(obj, build, cfg(), [Member(0, ring)], CPU)
    assert torch.equal(a.sample(100), b.sample(100))
    assert a.results[0].curves == b.results[0].curves


def test_member_result_does_not_depend_on_its_ensemble():
    """Seed 1 trained alone equals seed 1 trained beside seeds 0 and 2 (and another dataset)."""
    ring, grid = DATASETS.get("ring")(), DATASETS.get("grid")()
    obj = OBJECTIVES.get("wgan-gp")()
    alone = train_ensemble(obj, build, cfg(n_critic=2), [Member(1, ring)], CPU)
    group = train_ensemble(
        obj, build, cfg(n_critic=2), [Member(0, grid), Member(1, ring), Member(2, ring)], CPU
    )
    torch.testing.assert_close(alone.sample(200)[0], group.sample(200)[1], rtol=1e-5, atol=1e-5)
    for key in ("d_loss", "g_loss"):
        torch.testing.assert_close(
            torch.tensor(alone.results[0].curves[key]),
            torch.tensor(group.results[1].curves[key]),
            rtol=1e-5,
            atol=1e-5,
        )


@pytest.mark.parametrize("ensemble", [20, 39])
def test_member_is_bitwise_the_same_at_the_head_of_a_large_ensemble(ensemble):
    """Regression: with Adam(fused=True) the first member of a 20- or 39-member ensemble
    differed from the same seed alone in the last bits (the fused CPU kernel's rounding
    depends on an element's place in the tensor), and 2,000 steps later by whole modes;
    the report's bit-identical rows (fgan-gan = nonsaturating) split apart."""
    ring = DATASETS.get("ring")()
    obj = OBJECTIVES.get("nonsaturating")()

    def wide(ctx):  # the suite's width: large enough for multi-threaded, vectorised kernels
        return ARCHITECTURES.get("mlp")(ctx, depth=3, width=128)

    train = cfg(steps=20, batch_size=64)
    alone = train_ensemble(obj, wide, train, [Member(1, ring)], CPU)
    members = [Member(1, ring)] + [Member(s, ring) for s in range(2, ensemble + 1)]
    group = train_ensemble(obj, wide, train, members, CPU)
    assert torch.equal(alone.sample(100)[0], group.sample(100)[0])
    assert alone.results[0].curves == group.results[0].curves


def test_different_seeds_differ():
    ring = DATASETS.get("ring")()
    obj = OBJECTIVES.get("nonsaturating")()
    t = train_ensemble(obj, build, cfg(), [Member(0, ring), Member(1, ring)], CPU)
    s = t.sample(50)
    assert not torch.equal(s[0], s[1])


class _Exploding(Objective):
    """Test objective whose D loss turns NaN at a chosen step for member 0 only."""

    def __init__(self, at: int) -> None:
        self.at, self.calls = at, 0

    def d_loss(self, real, fake):
        self.calls += 1
        loss = fake.mean(-1) - real.mean(-1)
        if self.calls > self.at:
            loss = loss + torch.tensor([math.nan] + [0.0] * (len(loss) - 1))
        return loss

    def g_loss(self, fake, real=None):
        return -fake.mean(-1)


def test_nan_marks_member_diverged_at_its_step_and_others_go_on():
    ring = DATASETS.get("ring")()
    t = train_ensemble(_Exploding(at=12), build, cfg(), [Member(0, ring), Member(1, ring)], CPU)
    assert t.results[0].status == "diverged"
    assert t.results[0].diverged_step == 12
    assert "step 12" in t.results[0].error
    assert t.results[1].status == "ok"
    assert t.results[1].curves["step"] == [10, 20, 30]
    assert t.results[0].curves["step"] == [10]


def test_linear_decay_reaches_zero():
    from ganbench.train.loop import _schedule

    f = _schedule(cfg(steps=100, lr_schedule="linear", decay_start=0.5))
    assert f(0) == 1.0 and f(49) == 1.0
    assert f(75) == pytest.approx(0.5)
    assert f(100) == 0.0


@pytest.mark.parametrize("steps", [1, 2, 7, 100, 14000, 12345])
@pytest.mark.parametrize("decay_start", [0.0, 0.25, 0.3, 0.5, 0.99])
def test_linear_decay_to_zero_at_the_end_is_the_former_formula_bit_for_bit(steps, decay_start):
    """decay_end/lr_end_factor at their defaults keep every earlier run's rates exactly."""
    from ganbench.train.loop import _schedule

    f = _schedule(cfg(steps=steps, lr_schedule="linear", decay_start=decay_start))
    start = int(decay_start * steps)
    for step in range(steps + 2):
        former = 1.0 if step < start else max(0.0, (steps - step) / max(1, steps - start))
        assert f(step) == former


@pytest.mark.parametrize(
    ("steps", "decay_start", "decay_end", "floor"),
    [(14000, 0.3, 0.6, 0.05), (100, 0.0, 0.5, 0.1), (37, 0.2, 0.9, 0.5), (10, 0.5, 0.6, 0.0)],
)
def test_linear_decay_to_a_floor(steps, decay_start, decay_end, floor):
    from ganbench.train.loop import _schedule

    kw = {"decay_start": decay_start, "decay_end": decay_end, "lr_end_factor": floor}
    f = _schedule(cfg(steps=steps, lr_schedule="linear", **kw))
    start, end = int(decay_start * steps), int(decay_end * steps)
    values = [f(s) for s in range(steps + 1)]
    assert values[:start] == [1.0] * start
    assert values[start] == 1.0  # the decay starts from the full rate
    assert values[end:] == [floor] * (steps + 1 - end)  # then stays at the floor
    assert all(a >= b for a, b in itertools.pairwise(values))  # never rises
    mid = (start + end) / 2
    if mid == int(mid):
        assert f(int(mid)) == pytest.approx((1 + floor) / 2)


def _ring_samples(**kw: object) -> torch.Tensor:
    """50 samples of a lone non-saturating member trained 10 steps on the ring with ``kw``."""
    ring = DATASETS.get("ring")()
    obj = OBJECTIVES.get("nonsaturating")()
    t = train_ensemble(obj, build, cfg(steps=10, **kw), [Member(0, ring)], CPU)
    return t.sample(50)


def test_linear_decay_to_a_floor_trains_at_the_floor_rate_after_decay_end():
    """Decayed to a tenth by step 1: step 0 at the full rate, the other 9 at a tenth."""
    floor = {"lr_schedule": "linear", "decay_start": 0.0, "decay_end": 0.1, "lr_end_factor": 0.1}
    floored = _ring_samples(lr=2e-3, **floor)
    assert not torch.allclose(floored, _ring_samples(lr=2e-4), atol=1e-6)
    # the first step is at the full rate: the same as a step schedule from step 1
    stepped = _ring_samples(lr=2e-3, lr_schedule="step", decay_start=0.1)
    torch.testing.assert_close(floored, stepped, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"lr_schedule": "linear", "decay_start": 0.5, "decay_end": 0.5}, "decay_end"),
        ({"lr_schedule": "linear", "decay_end": 1.5}, "decay_end"),
        ({"lr_schedule": "linear", "lr_end_factor": -0.1}, "lr_end_factor"),
        ({"lr_schedule": "linear", "lr_end_factor": 1.1}, "lr_end_factor"),
        ({"lr_schedule": "constant", "lr_end_factor": 0.1}, "only to lr_schedule: linear"),
        ({"lr_schedule": "step", "decay_end": 0.9}, "only to lr_schedule: linear"),
    ],
)
def test_decay_end_and_floor_are_checked(kw, message):
    with pytest.raises(ValueError, match=message):
        cfg(**kw)


@pytest.mark.parametrize(("steps", "decay_start"), [(100, 0.5), (7, 0.3), (12345, 0.25)])
def test_step_schedule_divides_the_rate_by_ten_at_decay_start(steps, decay_start):
    from ganbench.train.loop import _schedule

    f = _schedule(cfg(steps=steps, lr_schedule="step", decay_start=decay_start))
    start = int(decay_start * steps)
    assert [f(s) for s in (0, start - 1)] == [1.0, 1.0]
    assert [f(s) for s in (start, start + 1, steps - 1, steps)] == [0.1] * 4


def test_step_schedule_from_step_zero_trains_at_a_tenth_of_the_rate():
    stepped = _ring_samples(lr=2e-3, lr_schedule="step", decay_start=0.0)
    torch.testing.assert_close(stepped, _ring_samples(lr=2e-4), rtol=1e-4, atol=1e-5)
    assert not torch.allclose(stepped, _ring_samples(lr=2e-3), atol=1e-3)


def test_ema_generator_is_used_for_sampling():
    ring = DATASETS.get("ring")()
    obj = OBJECTIVES.get("nonsaturating")()
    plain = train_ensemble(obj, build, cfg(), [Member(0, ring)], CPU)
    ema = train_ensemble(obj, build, cfg(ema=0.9), [Member(0, ring)], CPU)
    assert not torch.equal(plain.sample(20), ema.sample(20))

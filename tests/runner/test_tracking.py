"""Quality tracking on every dataset kind: mixtures get curves, and training is unchanged."""

from __future__ import annotations

import pytest
import torch

from ganbench.cli import main
from ganbench.config import load_suite
from ganbench.datasets import DATASETS
from ganbench.errors import ConfigError
from ganbench.metrics.config import EvalConfig
from ganbench.runner import ResultStore, run_suite
from ganbench.runner.tracking import QualityTracker, make_tracker, tracked_metric

MIXTURE_SUITE = """
name: tracked
seeds: [0, 1]
datasets: [ring]
objectives: [nonsaturating]
architectures:
  - {name: mlp, params: {depth: 2, width: 16, g_batch_norm: true}}
train: {steps: 30, batch_size: 32, log_every: 10}
eval: {n_samples: 400, keep_samples: 10, metrics: [modes, hq, reverse_kl]TRACK}
"""
TRACKED = ", track_every: 10, track_samples: 200"


def _records(path, results):
    suite = load_suite(path)
    run_suite(suite, results, torch.device("cpu"), progress=False)
    return {r["coords"]["seed"]: r for r in ResultStore(results, suite.name).records()}


def test_mixture_default_is_hq_and_an_explicit_metric_must_apply():
    ring = DATASETS.get("ring")()
    assert tracked_metric(EvalConfig(track_every=5), ring).name == "hq"
    assert tracked_metric(EvalConfig(track_every=5, track_metric="modes"), ring).name == "modes"
    with pytest.raises(ConfigError, match=r"'kid' does not apply to dataset 'ring' \(metrics"):
        tracked_metric(EvalConfig(track_every=5, track_metric="kid"), ring, "ring")
    assert make_tracker(EvalConfig(), [ring], [0]) is None  # track_every 0: off
    tracker = make_tracker(EvalConfig(track_every=5), [ring, ring], [0, 1])
    assert isinstance(tracker, QualityTracker) and tracker.protocol(1)["metric"] == "hq"


def test_unlabelled_images_need_a_chosen_metric():
    from ganbench.datasets.base import Dataset

    class Unlabelled(Dataset):
        kind = "images"
        shape = (1, 8, 8)

        def sample(self, n, generator):
            return torch.zeros(n, *self.shape)

    with pytest.raises(ConfigError, match="no default tracked metric applies to dataset 'u'; set"):
        tracked_metric(EvalConfig(track_every=5), Unlabelled(), "u")
    assert tracked_metric(EvalConfig(track_every=5, track_metric="kid"), Unlabelled()).name == "kid"


def test_validate_rejects_a_tracked_metric_that_does_not_apply(write_suite, capsys):
    bad = MIXTURE_SUITE.replace("TRACK", TRACKED + ", track_metric: kid")
    assert main(["validate", str(write_suite(bad, "bad.yaml"))]) == 2
    err = capsys.readouterr().err
    assert "eval.track_metric: 'kid' does not apply to dataset 'ring'" in err and "hq" in err


def test_tracking_a_mixture_changes_no_training_number(write_suite, tmp_path):
    """Regression: the same cells with and without tracking end with identical metrics,
    samples and losses (tracking draws from its own stream and restores batch norm's
    train mode), and the tracked records carry the curve and how it was measured."""
    plain = _records(write_suite(MIXTURE_SUITE.replace("TRACK", ""), "a.yaml"), tmp_path / "a")
    tracked = _records(
        write_suite(MIXTURE_SUITE.replace("TRACK", TRACKED), "b.yaml"), tmp_path / "b"
    )
    assert sorted(plain) == sorted(tracked) == [0, 1]
    for seed, rec in tracked.items():
        base = plain[seed]
        assert rec["status"] == base["status"] == "ok"
        for name in ("modes", "hq", "reverse_kl"):
            assert rec["metrics"][name]["value"] == base["metrics"][name]["value"], name
        assert rec["samples"]["points"] == base["samples"]["points"]
        assert rec["curves"]["g_loss"] == base["curves"]["g_loss"]
        assert "eval" not in base["curves"] and "tracking" not in base
        curve = rec["curves"]["eval"]
        assert curve["step"] == [0, 10, 20, 30] and len(curve["hq"]) == 4
        assert all(0.0 <= v <= 1.0 for v in curve["hq"])
        assert rec["tracking"]["metric"] == "hq" and rec["tracking"]["n_fake"] == 200
        assert "numerics" not in rec and "artifacts" not in rec  # no image extras


@pytest.mark.parametrize(
    ("every", "log_every", "ok"), [(10, 10, True), (20, 10, True), (25, 10, False), (5, 10, False)]
)
def test_track_every_must_be_a_multiple_of_log_every(write_suite, capsys, every, log_every, ok):
    """Regression: veegan2017's track_every 250 at log_every 100 tracked only every 500 steps."""
    text = MIXTURE_SUITE.replace("log_every: 10", f"log_every: {log_every}")
    path = write_suite(text.replace("TRACK", f", track_every: {every}"))
    assert (main(["validate", str(path)]) == 0) is ok
    err = capsys.readouterr().err
    if not ok:
        assert f"eval.track_every {every} is not a multiple of train.log_every {log_every}" in err


def test_a_variant_log_every_is_checked_against_track_every(write_suite, capsys):
    text = MIXTURE_SUITE.replace("TRACK", ", track_every: 10")
    text += "variants:\n  - {label: a}\n  - {label: b, train: {log_every: 4}}\n"
    assert main(["validate", str(write_suite(text))]) != 0
    assert "not a multiple of train.log_every 4 (ring, b)" in capsys.readouterr().err

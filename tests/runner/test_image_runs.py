"""Image runs end to end: tracking, sample grids, checkpoints, numerics in the record."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganbench.architectures import ARCHITECTURES
from ganbench.cli import main
from ganbench.config import load_suite
from ganbench.datasets import DATASETS
from ganbench.errors import ConfigError
from ganbench.metrics.config import EvalConfig
from ganbench.metrics.options import SampleQualityOptions, options_dict
from ganbench.objectives import OBJECTIVES
from ganbench.runner.images import grid_inputs, load_generator
from ganbench.runner.tracking import QualityTracker
from ganbench.train import Member, TrainConfig, train_ensemble

SUITE = """
name: imgtiny
seeds: [0]
datasets:
  - {name: digits, params: {resolution: 28}}
objectives: [nonsaturating, wgan-gp]
architectures:
  - {name: dcgan, params: {width: 4}}
train: {steps: 6, batch_size: 8, z_dim: 8, lr: 2.0e-4, log_every: 3, n_critic: 1}
eval: {n_samples: 300, metrics: [classifier_fid], track_every: 3, track_samples: 100}
"""


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBENCH_CACHE", str(tmp_path / "cache"))


def test_image_suite_records_grids_checkpoints_and_curves(
    write_suite, tmp_path, isolated_cache, capsys
):
    path = write_suite(SUITE, "imgtiny.yaml")
    results, reports = tmp_path / "results", tmp_path / "reports"
    argv = ["run", str(path), "--results", str(results), "--reports", str(reports)]
    assert main([*argv, "--no-progress", "--device", "cpu"]) == 0
    records = [json.loads(p.read_text()) for p in sorted((results / "imgtiny").glob("*.json"))]
    assert len(records) == 2
    step0 = set()
    for rec in records:
        assert rec["status"] == "ok", rec.get("error")
        assert rec["numerics"] == {"precision": "float32", "memory_format": "contiguous"}
        curve = rec["curves"]["eval"]
        assert curve["step"] == [0, 3, 6] and len(curve["classifier_fid"]) == 3
        assert all(np.isfinite(curve["classifier_fid"]))
        assert rec["tracking"]["metric"] == "classifier_fid"
        step0.add(curve["classifier_fid"][0])
        grid = results / "imgtiny" / rec["samples"]["grid"]
        with Image.open(grid) as img:  # 8 × 8 tiles of 28 px with 2 px padding
            assert img.size == (8 * 30 + 2, 8 * 30 + 2)
        assert (results / "imgtiny" / rec["artifacts"]["generator"]).is_file()
    assert len(step0) == 1  # the initial generator depends on the seed, not the objective

    rec = records[0]
    gen = load_generator(rec, results / "imgtiny")
    z, _ = grid_inputs(_ctx(rec))
    with torch.inference_mode():
        images = gen(z[None])[0]
    saved = np.asarray(Image.open(results / "imgtiny" / rec["samples"]["grid"]).convert("L"))
    tile = saved[2:30, 2:30].astype(np.int64)
    expect = ((images[0, 0] + 1) / 2 * 255 + 0.5).clamp(0, 255).to(torch.uint8).numpy()
    assert np.abs(tile - expect).max() <= 1  # the checkpoint reproduces the saved grid
    state = torch.load(results / "imgtiny" / rec["artifacts"]["generator"], weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())  # a plain state dict


def _ctx(rec):
    from ganbench.architectures.base import ModelContext

    mc = rec["artifacts"]["model_context"]
    return ModelContext(tuple(mc["data_shape"]), mc["z_dim"], 1, mc["n_classes"], mc["pack"])


def test_tracking_changes_nothing_in_training(isolated_cache):
    ds = DATASETS.get("digits")(resolution=28)
    obj = OBJECTIVES.get("nonsaturating")()
    cfg = TrainConfig(steps=4, batch_size=8, z_dim=8, log_every=2)

    def build(ctx):
        return ARCHITECTURES.get("dcgan")(ctx, width=4)

    tracker = QualityTracker(EvalConfig(track_every=2, track_samples=50), [ds], [3])
    plain = train_ensemble(obj, build, cfg, [Member(3, ds)], torch.device("cpu"))
    tracked = train_ensemble(obj, build, cfg, [Member(3, ds)], torch.device("cpu"), on_log=tracker)
    assert tracked.generator.training  # the hook restored the mode it found
    assert torch.equal(plain.sample(20), tracked.sample(20))
    assert tracker.curves(0)["step"] == [0, 2, 4]


def test_grid_latents_are_shared_by_every_run():
    from ganbench.architectures.base import ModelContext

    a, _ = grid_inputs(ModelContext((1, 28, 28), 8))
    b, _ = grid_inputs(ModelContext((1, 28, 28), 8, ensemble=3))
    assert torch.equal(a, b) and a.shape == (64, 8)
    _, y = grid_inputs(ModelContext((1, 28, 28), 8, n_classes=10))
    assert y.tolist()[:12] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_tracking_settings_are_validated(write_suite):
    with pytest.raises(ValueError, match="track_every"):
        EvalConfig(track_every=-1)
    bad = SUITE.replace("track_every: 3", "track_every: 3, track_metric: clasifier_fid")
    with pytest.raises(ConfigError, match="did you mean 'classifier_fid'"):
        load_suite(write_suite(bad, "bad.yaml"))


def test_tracking_uses_the_suites_eval_options(isolated_cache):
    """Regression: the tracked metric ignored ``eval.options`` (reference split, n_real),
    so the curve was measured against the train split while the final value used the
    suite's split. Tracked and direct values must agree on the same samples."""
    from ganbench.metrics.base import METRICS, EvalContext

    ds = DATASETS.get("digits")(resolution=28)
    options = {"reference_split": "test", "n_real": 200}
    cfg = EvalConfig(track_every=2, track_samples=60, options=options)
    tracker = QualityTracker(cfg, [ds], [0])
    build = lambda ctx: ARCHITECTURES.get("dcgan")(ctx, width=4)  # noqa: E731
    obj = OBJECTIVES.get("nonsaturating")()
    train = TrainConfig(steps=2, batch_size=8, z_dim=8, log_every=2)
    state = train_ensemble(obj, build, train, [Member(0, ds)], torch.device("cpu"), on_log=tracker)
    samples = state.sample(60, stream="track")[0]
    spec = METRICS.get("classifier_fid")
    direct = spec.compute(EvalContext(ds, samples, 0, torch.device("cpu"), options=options))
    default = spec.compute(EvalContext(ds, samples, 0, torch.device("cpu")))
    assert tracker.curves(0)["classifier_fid"][-1] == pytest.approx(direct.value, rel=1e-9)
    assert direct.value != pytest.approx(default.value, rel=1e-6)  # the split matters here
    assert tracker.protocol()["options"] == {**options_dict(SampleQualityOptions()), **options}

"""Every objective trains the image architectures: one D and one G step, plus the tricks."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from ganbench.architectures import ARCHITECTURES
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES
from ganbench.train import Member, TrainConfig, train_ensemble

IMAGE_ARCHS = [
    n for n in ARCHITECTURES.names() if ARCHITECTURES.entry(n).meta.get("kind") == "images"
]
FAST = {"nonsaturating", "wgan-gp", "hinge"}  # one per family by default; all under `slow`
OBJECTIVE_CASES = [
    pytest.param(n, marks=() if n in FAST else pytest.mark.slow) for n in OBJECTIVES.names()
]
TRAIN_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)}
SMALL = {"dcgan": {"width": 4, "d_norm": "layer"}, "resnet": {"width": 4, "d_width": 4}}
CPU = torch.device("cpu")


def _run(arch: str, objective: str, **train):
    side = ARCHITECTURES.entry(arch).meta["resolutions"][0]
    ds = DATASETS.get("digits")(resolution=side)
    obj_cls = OBJECTIVES.get(objective)
    cfg = TrainConfig(
        **{"steps": 1, "batch_size": 4, "z_dim": 8, "log_every": 1, **obj_cls.train_defaults}
        | {"n_critic": 1, **train}
    )

    def build(ctx):
        return ARCHITECTURES.get(arch)(ctx, **SMALL[arch])

    return train_ensemble(obj_cls(), build, cfg, [Member(0, ds)], CPU)


@pytest.mark.parametrize("arch", IMAGE_ARCHS)
@pytest.mark.parametrize("objective", OBJECTIVE_CASES)
def test_every_objective_takes_a_step(arch, objective):
    trained = _run(arch, objective)
    assert trained.results[0].status == "ok", trained.results[0].error
    assert trained.sample(3).shape[:2] == (1, 3)


@pytest.mark.skipif(
    not {"pack", "conditional"} <= TRAIN_FIELDS, reason="training loop without packing/labels"
)
@pytest.mark.parametrize("arch", IMAGE_ARCHS)
@pytest.mark.parametrize(
    "train", [{"pack": 2}, {"conditional": True}], ids=["pacgan2", "conditional"]
)
def test_packing_and_conditioning_through_the_loop(arch, train):
    trained = _run(arch, "nonsaturating", **train)
    assert trained.results[0].status == "ok", trained.results[0].error
    assert trained.sample(3).shape[:2] == (1, 3)

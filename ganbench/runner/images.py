"""What image runs add to a record: a sample grid and a checkpoint.

(Quality over training, for every dataset kind, is :mod:`ganbench.runner.tracking`.)

* :func:`artifact_files` gives, per run, as bytes the driver writes,
  ``samples.png`` (an 8×8 grid from 64 latents that are the same for every
  objective and seed: stream ``"sample-grid"`` of seed 0; a conditional
  generator gets labels 0, 1, 2, … in turn) and ``generator.pt`` (the
  member's generator state dict, saved with ``torch.save``).
  :func:`load_generator` rebuilds the network from a record and loads the
  weights with ``weights_only=True``.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganbench import rng
from ganbench.architectures import ARCHITECTURES
from ganbench.architectures.base import ModelContext
from ganbench.architectures.conv import MemberNets
from ganbench.datasets.base import Dataset
from ganbench.train.loop import TrainedEnsemble

GRID_SIZE = 64
GRID_SEED, GRID_STREAM = 0, "sample-grid"


def is_image_run(dataset: Dataset) -> bool:
    """Whether a run on ``dataset`` gets the image extras."""
    return dataset.kind == "images"


def grid_inputs(ctx: ModelContext, n: int = GRID_SIZE) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The fixed latents (and labels, if conditional) of every run's sample grid."""
    z = torch.randn(n, ctx.z_dim, generator=rng.generator(GRID_SEED, GRID_STREAM))
    y = None if ctx.n_classes is None else torch.arange(n) % ctx.n_classes
    return z, y


def member_generator(generator: nn.Module, index: int) -> nn.Module | None:
    """The single-member network of member ``index`` (``None`` for batched ensembles)."""
    return generator.nets[index] if isinstance(generator, MemberNets) else None


@torch.inference_mode()
def sample_grid(trained: TrainedEnsemble, index: int) -> torch.Tensor:
    """Member ``index``'s images for the fixed grid latents, float in [-1, 1], CPU."""
    z, y = grid_inputs(trained.ctx)
    e, dev = len(trained.members), trained.device
    zz = torch.zeros(e, *z.shape)
    zz[index] = z
    trained.generator.eval()
    if y is None:
        out = trained.generator(zz.to(dev))
    else:
        yy = torch.zeros(e, len(y), dtype=torch.long)
        yy[index] = y
        out = trained.generator(zz.to(dev), yy.to(dev))
    return out[index].float().cpu()


def artifact_files(
    trained: TrainedEnsemble, index: int, run_id: str
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """``samples.png`` and ``generator.pt`` of member ``index``, as bytes.

    Returns the record's ``artifacts`` entry (paths relative to the suite's
    results folder, ``artifacts/<run_id>/...``) and the files to write there.
    """
    from torchvision.utils import save_image

    rel = Path("artifacts") / run_id
    files: dict[str, bytes] = {}
    buf = io.BytesIO()
    save_image(
        (sample_grid(trained, index) + 1) / 2, buf, format="png", nrow=int(math.sqrt(GRID_SIZE))
    )
    files["samples.png"] = buf.getvalue()
    out: dict[str, Any] = {"grid": str(rel / "samples.png")}
    net = member_generator(trained.generator, index)
    if net is not None:
        state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
        buf = io.BytesIO()
        torch.save(state, buf)
        files["generator.pt"] = buf.getvalue()
        out["generator"] = str(rel / "generator.pt")
        out["model_context"] = {
            "data_shape": list(trained.ctx.data_shape),
            "z_dim": trained.ctx.z_dim,
            "n_classes": trained.ctx.n_classes,
            "pack": trained.ctx.pack,
        }
    return out, files


def load_generator(record: dict[str, Any], results_dir: str | Path) -> MemberNets:
    """Rebuild a run's generator (one member) and load its checkpoint (``weights_only``)."""
    arts = record.get("artifacts") or {}
    if "generator" not in arts:
        raise ValueError(f"run {record.get('run_id')} saved no generator checkpoint")
    mc = arts["model_context"]
    ctx = ModelContext(
        data_shape=tuple(mc["data_shape"]),
        z_dim=int(mc["z_dim"]),
        ensemble=1,
        n_classes=mc["n_classes"],
        pack=int(mc["pack"]),
    )
    arch = record["config"]["architecture"]
    generator = ARCHITECTURES.get(arch["name"])(ctx, **arch["params"]).generator
    if not isinstance(generator, MemberNets):
        raise ValueError(f"architecture {arch['name']!r} has no per-member generator")
    state = torch.load(Path(results_dir) / arts["generator"], weights_only=True, map_location="cpu")
    generator.nets[0].load_state_dict(state)
    return generator.eval()

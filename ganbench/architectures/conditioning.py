"""Class conditioning for the image architectures.

* Concatenation (Mirza & Osindero 2014): the generator gets a one-hot label
  appended to z; the discriminator gets one-hot label maps appended to its
  input channels.
* Conditional batch normalisation (de Vries et al. 2017, as in Miyato &
  Koyama 2018): batch norm without affine parameters followed by a per-class
  gain (initialised to 1) and shift (initialised to 0).
* Projection discriminator (Miyato & Koyama 2018):
  D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩.

Every module here takes ``(x, y)`` with ``y`` an int64 ``(B,)`` tensor or
``None`` (unconditional), for a single ensemble member.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.architectures.conv import (
    ClassGain,
    ClassShift,
    GNormKind,
    VirtualBatchNorm2d,
    maybe_sn,
)

GCond = Literal["concat", "cbn"]
DCond = Literal["concat", "projection"]


def need_labels(y: torch.Tensor | None, n_classes: int | None) -> torch.Tensor | None:
    """``y`` for a conditional network (which must get labels), ``None`` otherwise."""
    if n_classes is None:
        return None
    if y is None:
        raise ValueError("this network is class-conditional: pass labels y")
    return y


def one_hot(y: torch.Tensor, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """``(B,)`` labels → ``(B, n_classes)`` one-hot rows."""
    return F.one_hot(y, n_classes).to(dtype)


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm without affine parameters, then a per-class gain and shift."""

    def __init__(self, channels: int, n_classes: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = ClassGain(n_classes, channels)  # initialised to 1
        self.shift = ClassShift(n_classes, channels)  # initialised to 0

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Normalise, then scale and shift by the rows of ``y``'s classes."""
        return self.bn(x) * self.gain(y)[:, :, None, None] + self.shift(y)[:, :, None, None]


class GNorm(nn.Module):
    """The generator's normalisation: batch, virtual batch, none, or conditional batch norm."""

    def __init__(
        self,
        channels: int,
        n_classes: int | None,
        cond: GCond,
        kind: GNormKind = "batch",
        reference: int = 0,
    ) -> None:
        super().__init__()
        self.conditional = n_classes is not None and cond == "cbn"
        if self.conditional:
            if kind != "batch":
                raise ValueError("g_conditioning 'cbn' needs g_norm 'batch' (or use 'concat')")
            self.norm: nn.Module = ConditionalBatchNorm2d(channels, n_classes)  # type: ignore[arg-type]
        elif kind == "batch":
            self.norm = nn.BatchNorm2d(channels)
        elif kind == "virtual":
            self.norm = VirtualBatchNorm2d(channels, reference)
        elif kind == "none":
            self.norm = nn.Identity()
        else:
            raise ValueError(f"unknown g_norm {kind!r} (valid: batch, virtual, none)")

    def forward(self, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """Normalise ``x`` (with ``y``'s class parameters when conditional)."""
        return self.norm(x, y) if self.conditional else self.norm(x)


class ProjectionHead(nn.Module):
    """ψ(φ) (+ ⟨embed(y), φ_pool⟩ with projection): features → one raw score per sample.

    ``features`` feed the linear map ψ; ``pooled`` (the globally sum-pooled
    features, or ``features`` themselves) feed the projection.
    """

    def __init__(
        self,
        features: int,
        pooled: int,
        n_classes: int | None,
        projection: bool,
        sn: bool,
        sn_iterations: int = 1,
    ) -> None:
        super().__init__()
        self.linear = maybe_sn(nn.Linear(features, 1), sn, sn_iterations)
        self.embed = (
            maybe_sn(nn.Embedding(n_classes, pooled), sn, sn_iterations)
            if n_classes is not None and projection
            else None
        )

    def forward(
        self, phi: torch.Tensor, y: torch.Tensor | None, pooled: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``phi`` (B, F) → (B,)."""
        out = self.linear(phi).squeeze(1)
        if self.embed is not None and y is not None:
            p = phi if pooled is None else pooled
            out = out + (self.embed(y) * p).sum(1)
        return out


def merge_pack(
    x: torch.Tensor, y: torch.Tensor | None, n_classes: int | None, concat: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Label handling of a convolutional D, packed (PacGAN, Lin et al. 2018) or not.

    ``x`` is ``(B, m·C, H, W)``: the training loop packs m consecutive samples
    along channels; ``y`` is ``(B,)`` or, packed, ``(B, m)``. With ``concat``
    conditioning each sample's one-hot label maps are appended after the image
    channels. Returns D's input and the labels left for a projection head.
    """
    if n_classes is None or y is None:
        return x, None
    if concat:
        h, w = x.shape[-2:]
        maps = one_hot(y.reshape(-1), n_classes, x.dtype)[:, :, None, None].expand(-1, -1, h, w)
        return torch.cat([x, maps.reshape(x.shape[0], -1, h, w)], 1), None
    if y.ndim > 1:
        raise ValueError("the projection discriminator does not support packing (use concat)")
    return x, y

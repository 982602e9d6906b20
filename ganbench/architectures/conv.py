"""Shared machinery of the convolutional (image) architectures.

Convolutional networks are written for one member (``(B, C, H, W)`` in) and
wrapped in :class:`MemberNets`, which keeps ``E`` independent copies and maps
the ensemble contract ``(E, B, ...)`` onto them. Grouped convolutions would let
the members share kernels, but on CPU they were slower than separate members
(DCGAN 28 px, width 64, batch 64, one thread: 407 ms per step for E = 2 grouped
vs 2 × 186 ms), so image architectures are registered with ``ensemble=False``
and the planner trains their cells one by one; E > 1 still works (tests).

Numerics: on CUDA every forward pass runs under bf16 autocast with
channels_last tensors (weights are converted when the module moves to the
GPU); on CPU everything stays float32 and contiguous. Outputs are float32
either way, so losses and penalties are computed in full precision.
:func:`numerics` says which applies, for the record.

Also here: per-member initialisation from the member's own generator (DCGAN's
N(0, 0.02) and SNGAN's Glorot-uniform schemes) and a spectral-norm
parametrisation whose power-iteration vectors are seeded from that generator
too, so a run depends only on its seed.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from ganbench.architectures.layers import MemberModule

InitFn = Callable[[nn.Module, torch.Generator], None]
Norm = Literal["batch", "layer", "none"]
GNormKind = Literal["batch", "virtual", "none"]


def numerics(device: torch.device | str) -> dict[str, str]:
    """Precision and memory format image networks use on ``device`` (stored in records)."""
    if torch.device(device).type == "cuda":
        return {"precision": "bf16-autocast", "memory_format": "channels_last"}
    return {"precision": "float32", "memory_format": "contiguous"}


class MemberNets(MemberModule):
    """``E`` independent single-member networks behind the ``(E, B, ...)`` contract.

    ``forward(x, y=None)`` feeds member ``e`` its slice ``x[e]`` (and ``y[e]``)
    and stacks the results. ``init(net, generator)`` initialises one member.
    """

    def __init__(self, nets: Sequence[nn.Module], init: InitFn) -> None:
        super().__init__()
        self.nets = nn.ModuleList(nets)
        self._init = init

    def reset_members(self, generators: Sequence[torch.Generator]) -> None:
        """Initialise member ``e`` from ``generators[e]``."""
        if len(generators) != len(self.nets):
            raise ValueError(f"{len(self.nets)} members but {len(generators)} generators")
        for net, g in zip(self.nets, generators, strict=True):
            self._init(net, g)

    def _apply(self, fn: Callable[..., Any], recurse: bool = True) -> MemberNets:
        super()._apply(fn, recurse)
        for p in self.parameters():
            if p.is_cuda and p.ndim == 4:
                p.data = p.data.contiguous(memory_format=torch.channels_last)
        return self

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``(E, B, ...) → (E, B, ...)``, bf16 autocast + channels_last on CUDA."""
        cuda = x.is_cuda
        ctx = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else contextlib.nullcontext()
        outs = []
        with ctx:
            for e, net in enumerate(self.nets):
                xe = x[e]
                if cuda and xe.ndim == 4:
                    xe = xe.contiguous(memory_format=torch.channels_last)
                outs.append(net(xe, None if y is None else y[e]).float())
        return outs[0].unsqueeze(0) if len(outs) == 1 else torch.stack(outs)


# ------------------------------------------------------------------ normalisation


class SpectralNorm(nn.Module):
    """Weight parametrisation W / σ(W), σ from power iteration (Miyato et al. 2018).

    One power-iteration step per training-mode forward pass (as in the paper and
    ``torch.nn.utils.spectral_norm``); ``dim`` is the output axis (1 for
    transposed convolutions). ``u`` and ``v`` are (re)seeded by :meth:`reset`.
    """

    u: torch.Tensor
    v: torch.Tensor

    def __init__(self, weight: torch.Tensor, dim: int = 0, n_power_iterations: int = 1) -> None:
        super().__init__()
        self.dim, self.n_power_iterations = dim, n_power_iterations
        mat = self._matrix(weight)
        self.register_buffer("u", F.normalize(torch.ones(mat.shape[0]), dim=0))
        self.register_buffer("v", F.normalize(torch.ones(mat.shape[1]), dim=0))

    def _matrix(self, weight: torch.Tensor) -> torch.Tensor:
        w = weight.movedim(self.dim, 0) if self.dim else weight
        return w.flatten(1)

    @torch.no_grad()
    def _iterate(self, mat: torch.Tensor, steps: int) -> None:
        u, v = self.u, self.v
        for _ in range(steps):
            v = F.normalize(mat.t().mv(u), dim=0, eps=1e-12)
            u = F.normalize(mat.mv(v), dim=0, eps=1e-12)
        self.u.copy_(u)
        self.v.copy_(v)

    @torch.no_grad()
    def reset(self, weight: torch.Tensor, generator: torch.Generator, steps: int = 15) -> None:
        """Draw ``u``, ``v`` from ``generator`` and run ``steps`` power iterations on ``weight``."""
        mat = self._matrix(weight).float()
        self.u.copy_(F.normalize(torch.randn(mat.shape[0], generator=generator), dim=0))
        self.v.copy_(F.normalize(torch.randn(mat.shape[1], generator=generator), dim=0))
        self._iterate(mat.to(self.u.device), steps)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        """The normalised weight."""
        mat = self._matrix(weight)
        if self.training:
            self._iterate(mat.detach().float(), self.n_power_iterations)
        u, v = self.u.clone(), self.v.clone()
        sigma = torch.dot(u.to(mat.dtype), mat.mv(v.to(mat.dtype)))
        return weight / sigma


def spectral_norm(module: nn.Module, n_power_iterations: int = 1) -> nn.Module:
    """Spectral-normalise ``module.weight`` (conv, transposed conv, linear, embedding)."""
    dim = 1 if isinstance(module, nn.ConvTranspose2d) else 0
    weight: Any = module.weight
    sn = SpectralNorm(weight, dim, n_power_iterations)
    parametrize.register_parametrization(module, "weight", sn)
    return module


def maybe_sn(module: nn.Module, on: bool, n_power_iterations: int = 1) -> nn.Module:
    """``spectral_norm(module)`` when ``on``."""
    return spectral_norm(module, n_power_iterations) if on else module


def norm2d(kind: Norm, channels: int) -> nn.Module:
    """Batch norm, layer norm over (C, H, W) (GroupNorm with one group), or identity."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r} (valid: batch, layer, none)")


class VirtualBatchNorm2d(nn.Module):
    """Virtual batch normalisation (Salimans et al. 2016) for feature maps.

    The last ``reference`` rows of the batch are a fixed reference batch. Each
    other example is normalised per channel with the statistics of the virtual
    batch made of the reference batch plus itself: mean = (m_x + n·μ_ref)/(n + 1)
    with m_x the example's spatial mean (likewise for the mean square); the
    reference rows use their own statistics. Then a per-channel gain and shift.
    """

    def __init__(self, channels: int, reference: int, eps: float = 1e-5) -> None:
        super().__init__()
        if reference < 1:
            raise ValueError("virtual batch norm needs a reference batch of >= 1 example")
        self.reference, self.eps = reference, eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise ``(B + reference, C, H, W)``; the reference rows come last."""
        n = self.reference
        x, ref = x[:-n], x[-n:]
        ref_mean = ref.mean((0, 2, 3), keepdim=True)
        ref_sq = ref.square().mean((0, 2, 3), keepdim=True)
        c = 1.0 / (n + 1)
        mean = c * x.mean((2, 3), keepdim=True) + (1 - c) * ref_mean
        sq = c * x.square().mean((2, 3), keepdim=True) + (1 - c) * ref_sq
        out = (x - mean) * torch.rsqrt((sq - mean.square()).clamp(min=0) + self.eps)
        ref_var = (ref_sq - ref_mean.square()).clamp(min=0)
        ref_out = (ref - ref_mean) * torch.rsqrt(ref_var + self.eps)
        gain, shift = self.weight[None, :, None, None], self.bias[None, :, None, None]
        return torch.cat([out, ref_out]) * gain + shift


class ReferenceLatents(nn.Module):
    """A fixed batch of latent codes (and labels) for virtual batch norm, drawn at init."""

    z: torch.Tensor
    y: torch.Tensor

    def __init__(self, size: int, z_dim: int, n_classes: int | None) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.register_buffer("z", torch.zeros(size, z_dim))
        self.register_buffer("y", torch.zeros(size, dtype=torch.long))

    @torch.no_grad()
    def reset_from(self, g: torch.Generator) -> None:
        """Draw the codes from N(0, I) (labels uniformly) with the member's generator."""
        self.z.copy_(torch.randn(self.z.shape, generator=g))
        if self.n_classes:
            self.y.copy_(torch.randint(self.n_classes, self.y.shape, generator=g))

    def extend(
        self, z: torch.Tensor, y: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``z`` (and ``y``) with the reference rows appended."""
        z = torch.cat([z, self.z.to(z.dtype)])
        return z, None if y is None else torch.cat([y, self.y])


# ------------------------------------------------------------------ initialisation


class ResidualConv2d(nn.Conv2d):
    """A convolution inside a residual branch (Glorot gain √2 in :func:`glorot_init`)."""


class ClassGain(nn.Embedding):
    """Per-class gains of conditional batch norm (initialised to 1)."""


class ClassShift(nn.Embedding):
    """Per-class shifts of conditional batch norm (initialised to 0)."""


def _weight_and_sn(module: nn.Module) -> tuple[torch.Tensor, SpectralNorm | None]:
    if parametrize.is_parametrized(module, "weight"):
        plist: Any = module.parametrizations.weight  # type: ignore[union-attr]
        sn = next((p for p in plist if isinstance(p, SpectralNorm)), None)
        return plist.original, sn
    weight: Any = module.weight
    return weight, None


def weighted_layers(net: nn.Module) -> Iterator[nn.Module]:
    """Convolutions, linear maps and embeddings of ``net`` in registration order."""
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)
    return (m for m in net.modules() if isinstance(m, kinds))


@torch.no_grad()
def _finish_layer(
    module: nn.Module, weight: torch.Tensor, sn: SpectralNorm | None, g: torch.Generator
) -> None:
    bias = getattr(module, "bias", None)
    if bias is not None:
        bias.zero_()
    if sn is not None:
        sn.reset(weight, g)


@torch.no_grad()
def reset_norms(net: nn.Module, g: torch.Generator) -> None:
    """Unit scale, zero shift, fresh running statistics and reference batches."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d | nn.GroupNorm | VirtualBatchNorm2d):
            if m.weight is not None:
                m.weight.fill_(1.0)
                m.bias.zero_()
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats()
        if isinstance(m, ReferenceLatents):
            m.reset_from(g)


@torch.no_grad()
def dcgan_init(net: nn.Module, g: torch.Generator) -> None:
    """Radford et al. 2016: weights N(0, 0.02), biases 0; BN scale N(1, 0.02), shift 0."""
    reset_norms(net, g)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d) and m.weight is not None:
            m.weight.normal_(1.0, 0.02, generator=g)
    for m in weighted_layers(net):
        weight, sn = _weight_and_sn(m)
        if isinstance(m, ClassGain):
            weight.fill_(1.0)
        elif isinstance(m, ClassShift):
            weight.zero_()
        else:
            weight.normal_(0.0, 0.02, generator=g)
        _finish_layer(m, weight, sn, g)


@torch.no_grad()
def glorot_init(net: nn.Module, g: torch.Generator) -> None:
    """SNGAN (Miyato et al. 2018, chainer code): Glorot-uniform, gain √2 inside residual blocks.

    :class:`ResidualConv2d` layers get gain √2; shortcuts, the first linear
    map, the output convolution and embeddings get gain 1; biases are 0.
    Conditional batch-norm gains start at 1 and shifts at 0.
    """
    reset_norms(net, g)
    for m in weighted_layers(net):
        weight, sn = _weight_and_sn(m)
        if isinstance(m, ClassGain):
            weight.fill_(1.0)
        elif isinstance(m, ClassShift):
            weight.zero_()
        else:
            gain = math.sqrt(2.0) if isinstance(m, ResidualConv2d) else 1.0
            nn.init.xavier_uniform_(weight, gain=gain, generator=g)
        _finish_layer(m, weight, sn, g)

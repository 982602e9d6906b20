"""Member-aligned elementwise functions: a member's numbers never depend on its ensemble.

PyTorch's CPU kernels run an elementwise op over a contiguous tensor in vector
chunks (AVX-512: 2 × 16 floats a step) and finish the last ``numel mod chunk``
elements with scalar code. Transcendental functions (``exp``, ``softplus``,
``sigmoid``, ``tanh``, …) round differently in the two paths, so in an
``(E, B)`` tensor the elements of member ``e`` that fall into the scalar tail
depend on ``E`` and on ``B``: member 0 trained alone and member 0 trained beside
two others differ in the last bits after one step, and 2,000 steps of a GAN
turn that into different modes (issue 12: batch 48, seed 23, 7 vs 8 modes).

:func:`aligned` closes the gap: it lays each member's slice out on a multiple
of :data:`LANE` elements (zero padding after the member's own values), applies
the function, and drops the padding, so every element of every member goes
through the vector path whatever ``E`` and ``B`` are. The backward of the pad
and the slice is exact, and the function's own backward runs on the padded
layout too. Exact operations (``+``, ``*``, ``relu``, ``sqrt``, ``max``) need
none of this; only the transcendental ones below are wrapped.

A tensor of more than 32,768 elements may be split between threads at an
unaligned offset; the padded per-member layout keeps every split a multiple of
:data:`LANE` for two threads (``numel`` is a multiple of 2 × LANE when ``E`` is
even, and the default suites stay below the split size).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

Fn = Callable[[torch.Tensor], torch.Tensor]

LANE = 64
"""Per-member alignment in elements: a multiple of every CPU vector loop's step (2 × 16)."""


def aligned(fn: Fn, x: torch.Tensor) -> torch.Tensor:
    """``fn(x)`` for an elementwise ``fn``, computed with each member's slice LANE-aligned.

    ``x`` has the member axis first, ``(E, ...)``; a 0-d or 1-d tensor is one member.
    """
    if x.dim() < 2:
        return aligned(fn, x.reshape(1, -1)).reshape(x.shape)
    members, per = x.shape[0], x[0].numel()
    pad = -per % LANE
    if pad == 0 and x.is_contiguous():
        return fn(x)
    flat = F.pad(x.reshape(members, per), (0, pad))
    return fn(flat)[:, :per].reshape(x.shape)


def softplus(x: torch.Tensor) -> torch.Tensor:
    """``log(1 + exp(x))``, member-aligned."""
    return aligned(F.softplus, x)


def exp(x: torch.Tensor) -> torch.Tensor:
    """``exp(x)``, member-aligned."""
    return aligned(torch.exp, x)


def expm1(x: torch.Tensor) -> torch.Tensor:
    """``exp(x) − 1``, member-aligned."""
    return aligned(torch.expm1, x)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``1 / (1 + exp(−x))``, member-aligned."""
    return aligned(torch.sigmoid, x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """``tanh(x)``, member-aligned."""
    return aligned(torch.tanh, x)


def elu(x: torch.Tensor) -> torch.Tensor:
    """ELU (α = 1), member-aligned."""
    return aligned(F.elu, x)


def silu(x: torch.Tensor) -> torch.Tensor:
    """``x · sigmoid(x)``, member-aligned."""
    return aligned(F.silu, x)
